"""One error base and the RFC 9457 problem+json rendering every Velox app installs.

Services raise subclasses of :class:`VeloxError` from their domain code; the handlers
installed by :func:`install_error_handlers` turn them (and validation errors, unknown
routes and unexpected exceptions) into ``application/problem+json`` responses that carry
the request id and never a stack trace.

Example::

    class OrderNotFound(NotFound):
        title = "Order not found"

    raise OrderNotFound(f"No order {order_id}")
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from velox_shared.context import current_request_id

__all__ = [
    "PROBLEM_BASE",
    "PROBLEM_JSON",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "NotFound",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnprocessableContent",
    "VeloxError",
    "install_error_handlers",
    "problem_response",
]

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://docs.velox.dev/problems/"

_log = logging.getLogger("velox.errors")


class VeloxError(Exception):
    """Base of every expected error; subclasses pin status, problem type and title."""

    status: ClassVar[int] = 500
    problem: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        extensions: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extensions = dict(extensions or {})
        self.headers = dict(headers or {})


class BadRequest(VeloxError):
    status = 400
    problem = "bad-request"
    title = "Bad request"


class Unauthorized(VeloxError):
    status = 401
    problem = "unauthorized"
    title = "Authentication required"


class Forbidden(VeloxError):
    status = 403
    problem = "forbidden"
    title = "Forbidden"


class NotFound(VeloxError):
    status = 404
    problem = "not-found"
    title = "Not found"


class Conflict(VeloxError):
    status = 409
    problem = "conflict"
    title = "Conflict"


class UnprocessableContent(VeloxError):
    status = 422
    problem = "validation-error"
    title = "Request validation failed"


class TooManyRequests(VeloxError):
    status = 429
    problem = "rate-limited"
    title = "Too many requests"


class ServiceUnavailable(VeloxError):
    status = 503
    problem = "service-unavailable"
    title = "Service unavailable"


def problem_response(
    status: int,
    problem: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    extensions: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Render one RFC 9457 problem document.

    Example::

        problem_response(404, "not-found", "Not found", "No route /v1/x", instance="/v1/x")
    """
    # Extensions go first: an extension named like a standard member (``status``, say)
    # must never replace it (RFC 9457 section 3.2).
    body: dict[str, Any] = dict(extensions or {})
    body |= {
        "type": PROBLEM_BASE + problem,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_STATUS_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("rate-limited", "Too many requests"),
}


def _validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        out.append({"loc": loc, "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))})
    return out


async def _on_velox_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VeloxError)
    if exc.status >= 500:
        _log.error("velox error", extra={"problem": exc.problem, "detail": exc.detail})
    return problem_response(
        exc.status,
        exc.problem,
        exc.title,
        exc.detail,
        instance=request.url.path,
        extensions=exc.extensions,
        headers=exc.headers,
    )


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc.errors())
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    detail = f"{'.'.join(first['loc'])}: {first['msg']}" if first["loc"] else str(first["msg"])
    return problem_response(
        422,
        "validation-error",
        "Request validation failed",
        detail,
        instance=request.url.path,
        extensions={"errors": errors},
    )


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    problem, title = _STATUS_PROBLEMS.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}"
    return problem_response(
        exc.status_code,
        problem,
        title,
        detail,
        instance=request.url.path,
        headers=dict(exc.headers or {}),
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.exception("unhandled error", extra={"path": request.url.path})
    return problem_response(
        500,
        "internal-error",
        "Internal server error",
        "An unexpected error occurred; quote the request id when reporting it.",
        instance=request.url.path,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` an RFC 9457 problem+json response."""
    app.add_exception_handler(VeloxError, _on_velox_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unexpected)
