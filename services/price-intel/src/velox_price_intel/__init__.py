"""Velox Price Intelligence: Competitor price tracking, matching, alerts and forecasts."""

NAME = "price-intel"
SCHEMA = "price_intel"
API_PREFIX = "/v1/price-intel"
