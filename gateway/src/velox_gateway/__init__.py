"""Velox API gateway: the only public entry point."""

NAME = "gateway"
SCHEMA = "gateway"
