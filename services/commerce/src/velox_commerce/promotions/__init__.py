"""Promotions: the store's coupons and automatic discounts."""
