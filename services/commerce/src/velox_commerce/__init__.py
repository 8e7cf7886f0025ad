"""Velox Commerce: Headless shop: catalogue, cart, checkout, orders, inventory."""

NAME = "commerce"
SCHEMA = "commerce"
API_PREFIX = "/v1/commerce"
