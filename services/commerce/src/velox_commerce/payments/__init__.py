"""Payments: the provider interface, Stripe PaymentIntents behind it, Stripe's webhooks."""
