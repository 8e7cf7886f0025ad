"""Documented error responses of the commerce API (all RFC 9457 problem+json)."""

from __future__ import annotations

from typing import Any

from velox_shared.errors import PROBLEM_JSON

__all__ = ["problems"]

_DESCRIPTIONS = {
    400: "Bad request",
    402: "The payment provider refused the payment",
    403: "The plan does not allow it (a limit reached)",
    404: "Not found in this account",
    409: "Conflicts with the current state (problem lists the reasons)",
    413: "Too large",
    422: "Validation failed",
    503: "A dependency (the payment provider) is unavailable",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the given statuses."""
    return {
        status: {"description": _DESCRIPTIONS[status], "content": {PROBLEM_JSON: {}}}
        for status in statuses
    }
