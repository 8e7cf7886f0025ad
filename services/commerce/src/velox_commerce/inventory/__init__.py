"""Inventory: locations, stock per location, reservations, allocation, the ledger."""
