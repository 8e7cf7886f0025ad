"""Velox Billing: Stripe customers, plans, subscriptions, webhooks, entitlements and usage."""

NAME = "billing"
SCHEMA = "billing"
API_PREFIX = "/v1/billing"
