"""Database models of the trading service, all in the ``trading`` schema."""
