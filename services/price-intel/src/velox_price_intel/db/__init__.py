"""Database models of the price-intel service, all in the ``price_intel`` schema."""
