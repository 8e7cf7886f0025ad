"""The plan catalogue and how it maps onto Stripe products, prices, features and meters."""
