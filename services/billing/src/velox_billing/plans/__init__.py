"""The public plan catalogue."""
