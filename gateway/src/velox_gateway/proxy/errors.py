"""The problems the proxy answers with when it cannot (or will not) reach a service.

Every one is a :class:`~velox_shared.errors.VeloxError`, so the shared handler renders it
as ``application/problem+json``; availability problems name the service in their detail
and in a ``service`` extension.
"""

from __future__ import annotations

from velox_shared.errors import NotFound, ServiceUnavailable, VeloxError

__all__ = [
    "BadGateway",
    "CircuitOpen",
    "PayloadTooLarge",
    "ServiceDown",
    "ServiceTimeout",
    "UnknownService",
]


class UnknownService(NotFound):
    problem = "unknown-service"
    title = "No such service"


class PayloadTooLarge(VeloxError):
    status = 413
    problem = "payload-too-large"
    title = "Payload too large"


class ServiceDown(ServiceUnavailable):
    """The service refused or did not accept the connection (after retries)."""

    problem = "service-unavailable"
    title = "Service unavailable"


class ServiceTimeout(ServiceUnavailable):
    """The service accepted the request but did not answer (or read) in time."""

    status = 504
    problem = "service-timeout"
    title = "Service timed out"


class BadGateway(ServiceUnavailable):
    """The service broke the connection or spoke invalid HTTP."""

    status = 502
    problem = "bad-gateway"
    title = "Bad gateway"


class CircuitOpen(ServiceUnavailable):
    """Recent calls to the service failed; the gateway fails fast until a probe succeeds."""

    problem = "service-circuit-open"
    title = "Service temporarily unavailable"
