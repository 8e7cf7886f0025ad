"""Velox Analytics: Datasets, profiling, statistics, ML, dashboards and reports."""

NAME = "analytics"
SCHEMA = "analytics"
API_PREFIX = "/v1/analytics"
