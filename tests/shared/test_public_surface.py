"""The shared library's public surface is pinned: changing it is a deliberate act."""

from __future__ import annotations

import importlib

import pytest

SURFACE = {
    "velox_shared.ids": ["new_id"],
    "velox_shared.pagination": [
        "CursorParam",
        "InvalidCursor",
        "LimitParam",
        "Page",
        "PageResult",
        "decode_cursor",
        "encode_cursor",
        "paginate",
    ],
    "velox_shared.repository": ["Repository"],
    "velox_shared.contracts.plans": [
        "Catalog",
        "Family",
        "Overage",
        "Price",
        "Tier",
        "catalog_version",
        "load_catalog",
    ],
    "velox_shared.contracts.billing": ["AccountPlansChanged", "CatalogPublished"],
    "velox_shared.contracts.commerce": [
        "OrderCancelled",
        "OrderEdited",
        "OrderFulfilled",
        "OrderPaid",
        "OrderPlaced",
        "OrderRefunded",
        "ProductCreated",
        "ProductUpdated",
        "ReturnUpdated",
        "StockLow",
    ],
    "velox_shared.passwords": ["hash_password", "needs_rehash", "verify_password"],
    "velox_shared.contracts.usage": [
        "QUOTA_REMAINING_HEADER",
        "USAGE_UNITS_HEADER",
        "UsageRecorded",
    ],
    "velox_shared.app": [
        "Runtime",
        "ServiceSpec",
        "consumer_name",
        "create_service_app",
        "health_router",
        "readiness",
    ],
    "velox_shared.auth": [
        "PUBLIC_PATHS",
        "CurrentIdentity",
        "IdentityMiddleware",
        "current_identity",
    ],
    "velox_shared.cache": ["Cache", "RedisCache", "UpstashCache", "create_cache"],
    "velox_shared.context": [
        "REQUEST_ID_HEADER",
        "current_request_id",
        "new_request_id",
        "set_request_id",
    ],
    "velox_shared.db": [
        "NAMING_CONVENTION",
        "async_url",
        "create_engine",
        "make_base",
        "ping",
        "request_session",
        "schema_metadata",
        "session_factory",
        "session_scope",
    ],
    "velox_shared.errors": [
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
    ],
    "velox_shared.events": [
        "EventEnvelope",
        "EventPayload",
        "EventTables",
        "Handler",
        "OutboxRelay",
        "StreamConsumer",
        "after_commit",
        "before_commit",
        "event_tables",
        "new_envelope",
        "publish",
        "publish_many",
        "publish_now",
        "stream_for",
    ],
    "velox_shared.identity": [
        "IDENTITY_HEADER",
        "ISSUER",
        "Identity",
        "IdentitySigner",
        "IdentityVerifier",
        "InvalidIdentity",
        "generate_keypair",
    ],
    "velox_shared.logging": ["JsonFormatter", "configure_logging"],
    "velox_shared.migrations": ["create_event_tables_v1", "drop_event_tables_v1", "run_migrations"],
    "velox_shared.observability": [
        "EVENTS_DEAD_LETTERED",
        "EVENTS_HANDLED",
        "EVENTS_PUBLISHED",
        "HTTP_LATENCY",
        "HTTP_REQUESTS",
        "RequestContextMiddleware",
        "init_sentry",
        "init_tracing",
        "metrics_response",
    ],
    "velox_shared.settings": ["PlatformSettings", "ServiceSettings", "service_settings_config"],
    "velox_shared.workers": ["BackgroundWorker", "Quiesce", "Stoppable", "stop_tasks"],
}


@pytest.mark.parametrize("module", sorted(SURFACE))
def test_public_surface_is_pinned(module: str) -> None:
    imported = importlib.import_module(module)
    assert sorted(imported.__all__) == sorted(SURFACE[module])
    for name in imported.__all__:
        assert hasattr(imported, name), f"{module}.{name} is exported but missing"
