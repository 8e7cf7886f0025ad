"""Tax: the store's rates by country, region and tax code, and the provider that reads them."""
