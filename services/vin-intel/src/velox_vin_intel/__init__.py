"""Velox VIN Intelligence: VIN decoding, vPIC enrichment, package identification, bulk jobs."""

NAME = "vin-intel"
SCHEMA = "vin_intel"
API_PREFIX = "/v1/vin"
