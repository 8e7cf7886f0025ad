"""The real Velox components' documents merge into one valid OpenAPI 3.1 document."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from velox_gateway.openapi import INFRASTRUCTURE_PATHS, merge_openapi

SERVICES = ("billing", "commerce", "analytics", "automation", "price-intel", "vin-intel", "trading")


async def test_the_platform_document_is_valid_openapi_31(
    component_app: Callable[[str], FastAPI],
) -> None:
    documents = {name: component_app(name).openapi() for name in SERVICES}
    gateway = component_app("gateway").openapi()

    doc = merge_openapi(
        gateway, documents, title="Velox API", version="1.0.0", description="Velox APIs."
    )

    validate(doc, cls=OpenAPIV31SpecValidator)
    assert "x-velox-unavailable" not in doc
    assert set(SERVICES) <= {tag["name"] for tag in doc["tags"]}
    assert {"ApiKeyHeader", "BearerAuth"} <= set(doc["components"]["securitySchemes"])
    assert {"Problem", "ValidationProblem"} <= set(doc["components"]["schemas"])
    assert not INFRASTRUCTURE_PATHS & set(doc["paths"])
    for name in SERVICES:
        assert set(documents[name]["paths"]) <= set(doc["paths"])
    assert set(gateway["paths"]) <= set(doc["paths"])
