"""Database models of the commerce service, all in the ``commerce`` schema."""
