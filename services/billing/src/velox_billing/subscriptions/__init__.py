"""Checkout, the customer portal, subscriptions, plan changes and invoices."""
