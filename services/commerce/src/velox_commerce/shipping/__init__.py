"""Shipping: the zones a store delivers to and the priced methods of each zone."""
