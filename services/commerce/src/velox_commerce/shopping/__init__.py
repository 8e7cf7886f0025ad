"""Shopper lists and tools: wishlists, recently viewed products, product comparison."""
