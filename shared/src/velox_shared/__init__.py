"""Velox shared kit: what every Velox process needs and nothing domain-specific."""
