"""Search: full text and typo-tolerant product search with filters, facets and sorting,
behind :class:`~velox_commerce.search.engine.SearchEngine`; category listings."""
