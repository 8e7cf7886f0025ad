"""Price lists (customer groups, B2B tiers) and scheduled sale prices."""
