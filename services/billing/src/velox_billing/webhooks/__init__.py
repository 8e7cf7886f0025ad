"""Stripe webhooks: verified and stored on receipt, processed asynchronously."""
