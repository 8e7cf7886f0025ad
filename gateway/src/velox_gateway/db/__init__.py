"""Database models of the gateway, all in the ``gateway`` schema."""
