"""Request context middleware, Prometheus metrics, Sentry and OpenTelemetry set-up."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import sentry_sdk
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from velox_shared.context import REQUEST_ID_HEADER, new_request_id, set_request_id
from velox_shared.errors import problem_response

__all__ = [
    "EVENTS_DEAD_LETTERED",
    "EVENTS_HANDLED",
    "EVENTS_PUBLISHED",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "RequestContextMiddleware",
    "init_sentry",
    "init_tracing",
    "metrics_response",
]

HTTP_REQUESTS = Counter(
    "velox_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "velox_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_PUBLISHED = Counter(
    "velox_events_published_total", "Outbox events published to Redis", ["stream"]
)
EVENTS_HANDLED = Counter(
    "velox_events_handled_total", "Stream messages handled", ["group", "outcome"]
)
EVENTS_DEAD_LETTERED = Counter(
    "velox_events_dead_lettered_total", "Messages moved to a dead-letter stream", ["group"]
)

_access = logging.getLogger("velox.access")
_tracer = trace.get_tracer("velox")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    """Binds a request id (taken from ``X-Request-ID`` or made), echoes it, logs and meters."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _VALID_REQUEST_ID.match(incoming) else None
        request_id = request_id or new_request_id()
        set_request_id(request_id)
        status = 500
        started = time.perf_counter()
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        method = scope.get("method", "GET")
        with _tracer.start_as_current_span(f"{method} {scope.get('path')}") as span:
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:
                if response_started:
                    raise
                await self._internal_error(exc, scope, receive, send_with_id)
            finally:
                span.set_attribute("http.response.status_code", status)
                span.set_attribute("velox.request_id", request_id)
                self._record(scope, status, time.perf_counter() - started)

    async def _internal_error(
        self, exc: Exception, scope: Scope, receive: Receive, send: Send
    ) -> None:
        # Caught here (inside the request id scope) rather than in Starlette's outermost
        # handler, so the 500 still carries X-Request-ID and reaches Sentry.
        _access.error("unhandled error", exc_info=exc, extra={"path": scope.get("path")})
        sentry_sdk.capture_exception(exc)
        response = problem_response(
            500,
            "internal-error",
            "Internal server error",
            "An unexpected error occurred; quote the request id when reporting it.",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope.get("method", "GET")
        HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
        HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
        _access.info(
            "request",
            extra={
                "method": method,
                "path": scope.get("path"),
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def metrics_response(_: Request) -> Response:
    """Prometheus text exposition of this process's metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def init_sentry(dsn: str | None, *, environment: str, service: str, **options: Any) -> bool:
    """Start the Sentry SDK when a DSN is configured; returns whether it did.

    Example::

        init_sentry(settings.sentry_dsn.get_secret_value(), environment="production",
                    service="commerce")
    """
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        server_name=service,
        traces_sample_rate=0.0,
        **options,
    )
    sentry_sdk.set_tag("service", service)
    return True


def init_tracing(endpoint: str | None, *, service: str) -> Any:
    """Export OpenTelemetry spans over OTLP/HTTP when an endpoint is configured.

    Returns the tracer provider it installed (``None`` when tracing stays off).
    """
    if not endpoint:
        return None
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"velox-{service}"}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces"))
    )
    trace.set_tracer_provider(provider)
    return provider
