"""Database models of the analytics service, all in the ``analytics`` schema."""
