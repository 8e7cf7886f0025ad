"""The gateway's streaming reverse proxy to the services.

:class:`ServiceProxy` forwards a request to a named :class:`ServiceRoute` over one pooled
``httpx.AsyncClient``: bodies stream both ways, the client's credentials are replaced by a
signed identity token for the target service, connect failures of idempotent requests are
retried, and a :class:`CircuitBreaker` per service turns an outage into fast 503s.
"""

from velox_gateway.proxy.breaker import BreakerState, CircuitBreaker
from velox_gateway.proxy.errors import (
    BadGateway,
    CircuitOpen,
    PayloadTooLarge,
    ServiceDown,
    ServiceTimeout,
    UnknownService,
)
from velox_gateway.proxy.forwarder import DEFAULT_MAX_BODY_BYTES, ServiceProxy, UpstreamResponse
from velox_gateway.proxy.retry import IDEMPOTENT_METHODS
from velox_gateway.proxy.routes import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    ServiceRoute,
    routes_from_urls,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "BadGateway",
    "BreakerState",
    "CircuitBreaker",
    "CircuitOpen",
    "PayloadTooLarge",
    "ServiceDown",
    "ServiceProxy",
    "ServiceRoute",
    "ServiceTimeout",
    "UnknownService",
    "UpstreamResponse",
    "routes_from_urls",
]
