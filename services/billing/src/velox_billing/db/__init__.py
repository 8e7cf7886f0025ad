"""Database models of the billing service, all in the ``billing`` schema."""
