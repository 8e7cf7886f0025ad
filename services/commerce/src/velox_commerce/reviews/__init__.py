"""Reviews and ratings: one per verified purchase, shown once approved by staff."""
