"""Each account's effective tier per product family, published to the gateway on change."""
