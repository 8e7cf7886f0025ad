"""Checkout: reserve stock and authorise payment, then place the order exactly once."""
