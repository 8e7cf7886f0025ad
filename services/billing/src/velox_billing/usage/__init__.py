"""Metered usage: the gateway's usage events aggregated, reported to Stripe's meters."""
