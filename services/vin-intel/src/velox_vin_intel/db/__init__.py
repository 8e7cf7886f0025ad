"""Database models of the vin-intel service, all in the ``vin_intel`` schema."""
