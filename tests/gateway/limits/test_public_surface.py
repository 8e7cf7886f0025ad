"""The limits package's public surface is pinned: changing it is a deliberate act."""

from __future__ import annotations

import importlib

import pytest

SURFACE = {
    "velox_gateway.limits": [
        "QuotaCounter",
        "QuotaDecision",
        "QuotaUnavailable",
        "RateDecision",
        "RateLimiter",
        "quota_period",
    ],
    "velox_gateway.limits.gcra": [
        "MICROS",
        "GcraParams",
        "LocalGcra",
        "RateDecision",
        "decide_many",
        "decision_of",
        "most_restrictive",
    ],
    "velox_gateway.limits.quota": [
        "QuotaCounter",
        "QuotaDecision",
        "QuotaUnavailable",
        "quota_period",
    ],
    "velox_gateway.limits.rate": ["RateDecision", "RateLimiter"],
}


@pytest.mark.parametrize("module", sorted(SURFACE))
def test_public_surface_is_pinned(module: str) -> None:
    imported = importlib.import_module(module)
    assert sorted(imported.__all__) == sorted(SURFACE[module])
    for name in imported.__all__:
        assert hasattr(imported, name), f"{module}.{name} is exported but missing"
