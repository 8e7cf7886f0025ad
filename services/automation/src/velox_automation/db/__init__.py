"""Database models of the automation service, all in the ``automation`` schema."""
