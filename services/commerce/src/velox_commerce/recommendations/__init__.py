"""Recommendations from order history ("frequently bought together")."""
