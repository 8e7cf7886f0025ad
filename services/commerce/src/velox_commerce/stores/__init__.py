"""Stores: the shops of an account."""
