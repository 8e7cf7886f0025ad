"""Catalogue: products, their variants and prices, categories."""
