"""Carts: lines, coupons, gift cards, addresses, shipping, and their totals."""
