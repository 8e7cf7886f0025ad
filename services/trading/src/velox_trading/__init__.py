"""Velox Trading: Strategies, backtests, paper and live bots, risk and P&L."""

NAME = "trading"
SCHEMA = "trading"
API_PREFIX = "/v1/trading"
