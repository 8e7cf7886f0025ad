"""One check of RFC 9457 answers, shared by the commerce domain tests."""

from __future__ import annotations

from typing import Any

import httpx
from velox_shared.errors import PROBLEM_BASE, PROBLEM_JSON


def problem(response: httpx.Response, status: int, kind: str | None = None) -> dict[str, Any]:
    """The problem+json body of ``response`` after checking its status, media type and
    members (``kind`` is the end of its ``type``, such as ``not-found``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith(PROBLEM_BASE)
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if kind is not None:
        assert body["type"] == PROBLEM_BASE + kind, body
    return body
