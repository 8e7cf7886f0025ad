"""Per-IP limits of the unauthenticated auth routes, with slowapi.

slowapi fits these routes (few requests, keyed by client IP, a decorator per route). Its
Redis storage is shared by every gateway process; when Redis is unreachable it falls back
to a per-process memory limiter (``in_memory_fallback``), so login stays protected.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address
from velox_shared.errors import problem_response

__all__ = ["make_limiter", "on_rate_limit_exceeded"]

# IETF RateLimit header names instead of slowapi's X-RateLimit-*; keys are slowapi's
# HEADERS enum values (LIMIT, REMAINING, RESET, RETRY_AFTER).
_HEADERS = {1: "RateLimit-Reset", 2: "RateLimit-Remaining", 3: "RateLimit-Limit", 4: "Retry-After"}


def make_limiter(redis_url: str, per_ip: str) -> Limiter:
    """A limiter storing moving windows in Redis, e.g. ``make_limiter(url, "20/minute")``."""
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=redis_url,
        strategy="moving-window",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback=[per_ip],
        in_memory_fallback_enabled=True,
        key_prefix="velox:gw:auth-ip",
    )
    limiter._header_mapping.update(_HEADERS)
    return limiter


async def on_rate_limit_exceeded(request: Request, exc: Exception) -> JSONResponse:
    """slowapi's 429 as problem+json, with the RateLimit headers and Retry-After."""
    assert isinstance(exc, RateLimitExceeded)
    response = problem_response(
        429,
        "rate-limited",
        "Rate limit exceeded",
        f"Too many requests from this address ({exc.detail}); retry after Retry-After seconds.",
        instance=request.url.path,
    )
    limiter: Limiter = request.app.state.limiter
    limiter._inject_headers(response, request.state.view_rate_limit)
    return response
