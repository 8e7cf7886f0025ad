"""apikeys."""
