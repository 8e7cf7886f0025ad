"""merge_openapi over the documents of real FastAPI apps."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from velox_gateway.openapi import merge_openapi, platform_components

from tests.gateway.openapi.apps import billing_app, commerce_app, gateway_app

METHODS = ("get", "put", "post", "delete", "patch")


def merged(**services: dict[str, Any] | None) -> dict[str, Any]:
    return merge_openapi(
        gateway_app().openapi(),
        services,
        title="Velox API",
        version="1.0.0",
        description="Velox business APIs.",
    )


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return merged(commerce=commerce_app().openapi(), billing=billing_app().openapi())


def operation(doc: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    found: dict[str, Any] = doc["paths"][path][method]
    return found


def all_operations(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in doc["paths"].values():
        yield from (item[m] for m in METHODS if m in item)


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_merged_document_is_valid_openapi_31(doc: dict[str, Any]) -> None:
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {
        "title": "Velox API",
        "version": "1.0.0",
        "description": "Velox business APIs.",
    }


def test_every_reference_resolves(doc: dict[str, Any]) -> None:
    for ref in refs(doc):
        _, _, section, name = ref.split("/")
        assert name in doc["components"][section], ref


def test_paths_of_every_document_are_present(doc: dict[str, Any]) -> None:
    assert set(doc["paths"]) == {
        "/v1/auth/login",
        "/v1/api-keys",
        "/healthz",
        "/v1/commerce/orders",
        "/v1/commerce/orders/{order_id}",
        "/v1/commerce/status",
        "/v1/billing/invoices",
        "/v1/billing/invoices/{invoice_id}",
        "/v1/billing/status",
    }


def test_a_service_keeps_its_ops_paths_out(doc: dict[str, Any]) -> None:
    assert "/metrics" not in doc["paths"]
    # /healthz is the gateway's own (public) probe, not commerce's.
    assert operation(doc, "/healthz")["tags"] == ["gateway"]
    assert operation(doc, "/healthz")["security"] == []


def test_conflicting_schemas_get_the_service_prefix_and_refs_follow(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert "Item" not in schemas
    assert set(schemas["commerce__Item"]["properties"]) == {"sku", "quantity", "price"}
    assert set(schemas["billing__Item"]["properties"]) == {"description", "amount"}
    order_items = schemas["OrderIn"]["properties"]["items"]["items"]
    invoice_items = schemas["InvoiceIn"]["properties"]["items"]["items"]
    assert order_items == {"$ref": "#/components/schemas/commerce__Item"}
    assert invoice_items == {"$ref": "#/components/schemas/billing__Item"}


def test_equal_schemas_are_shared(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert "Money" in schemas
    assert not any(name.endswith("__Money") for name in schemas)
    assert schemas["commerce__Item"]["properties"]["price"] == {
        "$ref": "#/components/schemas/Money"
    }


def test_a_rename_cascades_to_schemas_referring_to_it(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    # Both Tax schemas read {"rate": Rate}, but each Rate is different: two Tax schemas.
    assert "Tax" not in schemas
    assert "Rate" not in schemas
    commerce_rate = schemas["commerce__Tax"]["properties"]["rate"]
    assert commerce_rate == {"$ref": "#/components/schemas/commerce__Rate"}
    billing_rate = schemas["billing__Tax"]["properties"]["rate"]
    assert billing_rate == {"$ref": "#/components/schemas/billing__Rate"}
    assert schemas["Order"]["properties"]["tax"] == {"$ref": "#/components/schemas/commerce__Tax"}


def test_discriminator_mappings_follow_renames(doc: dict[str, Any]) -> None:
    method = doc["components"]["schemas"]["Invoice"]["properties"]["method"]
    assert method["discriminator"]["mapping"] == {
        "card": "#/components/schemas/billing__Card",
        "bank": "#/components/schemas/Bank",
    }


def test_platform_and_gateway_names_win_over_others(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert schemas["Problem"] == platform_components()["schemas"]["Problem"]
    assert schemas["gateway__Problem"]["properties"] == {
        "message": {"type": "string", "title": "Message"}
    }
    conflict = operation(doc, "/v1/api-keys")["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/gateway__Problem"
    }


def test_colliding_operation_ids_get_the_service_prefix(doc: dict[str, Any]) -> None:
    ids = [op["operationId"] for op in all_operations(doc)]
    assert len(ids) == len(set(ids))
    assert operation(doc, "/v1/commerce/status")["operationId"] == "commerce__get_status"
    assert operation(doc, "/v1/billing/status")["operationId"] == "billing__get_status"
    assert operation(doc, "/v1/commerce/orders/{order_id}")["operationId"] == (
        "get_order_v1_commerce_orders__order_id__get"
    )


def test_untagged_operations_get_their_service_tag(doc: dict[str, Any]) -> None:
    assert operation(doc, "/v1/commerce/orders", "post")["tags"] == ["commerce"]
    assert operation(doc, "/v1/billing/invoices", "post")["tags"] == ["invoices"]
    tags = {tag["name"]: tag.get("description") for tag in doc["tags"]}
    assert tags["commerce"] == "Velox Commerce: Catalog and orders."
    assert tags["billing"] == "Velox Billing"
    assert {group["name"]: group["tags"] for group in doc["x-tagGroups"]} == {
        "gateway": ["auth", "api-keys", "gateway"],
        "commerce": ["commerce"],
        "billing": ["invoices"],
    }


def test_security_schemes_and_global_requirement(doc: dict[str, Any]) -> None:
    schemes = doc["components"]["securitySchemes"]
    assert schemes["ApiKeyHeader"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": schemes["ApiKeyHeader"]["description"],
    }
    assert schemes["BearerAuth"]["type"] == "http"
    assert schemes["BearerAuth"]["scheme"] == "bearer"
    assert doc["security"] == [{"BearerAuth": []}, {"ApiKeyHeader": []}]
    assert operation(doc, "/v1/auth/login", "post")["security"] == []
    assert "security" not in operation(doc, "/v1/api-keys")


def test_proxied_operations_document_every_platform_error(doc: dict[str, Any]) -> None:
    responses = operation(doc, "/v1/commerce/orders", "post")["responses"]
    assert list(responses) == ["201", "401", "403", "422", "429", "503"]
    for code, name in [
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("422", "ValidationError"),
        ("429", "TooManyRequests"),
        ("503", "ServiceUnavailable"),
    ]:
        assert responses[code] == {"$ref": f"#/components/responses/{name}"}


def test_validation_errors_are_problems_not_fastapis_default(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas
    response = doc["components"]["responses"]["ValidationError"]
    media = response["content"]["application/problem+json"]
    assert media["schema"] == {"$ref": "#/components/schemas/ValidationProblem"}
    errors = schemas["ValidationProblem"]["allOf"][1]["properties"]["errors"]
    assert errors["items"]["properties"]["loc"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": errors["items"]["properties"]["loc"]["description"],
    }


def test_rate_limit_response_documents_headers_and_problem_types(doc: dict[str, Any]) -> None:
    response = doc["components"]["responses"]["TooManyRequests"]
    assert set(response["headers"]) == {
        "X-Request-ID",
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
    }
    assert "quota-exceeded" in response["description"]
    assert "rate-limited" in response["description"]
    assert "entitlement-required" in doc["components"]["responses"]["Forbidden"]["description"]
    for response in doc["components"]["responses"].values():
        assert set(response["content"]) == {"application/problem+json"}


def test_gateway_operations_get_auth_errors_only_when_not_public(doc: dict[str, Any]) -> None:
    keys = operation(doc, "/v1/api-keys")["responses"]
    assert list(keys) == ["200", "401", "403", "409"]
    login = operation(doc, "/v1/auth/login", "post")["responses"]
    assert list(login) == ["200", "401", "422"]
    # The gateway's own bare problem+json 401 gets the Problem schema.
    assert login["401"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }


def test_success_responses_document_request_id_and_rate_headers(doc: dict[str, Any]) -> None:
    for op in all_operations(doc):
        for code, response in op["responses"].items():
            if code.startswith("2"):
                assert response["headers"] == {
                    name: {"$ref": f"#/components/headers/{name}"}
                    for name in (
                        "X-Request-ID",
                        "RateLimit-Limit",
                        "RateLimit-Remaining",
                        "RateLimit-Reset",
                    )
                }


def test_an_unreachable_service_is_listed_and_left_out() -> None:
    doc = merged(commerce=commerce_app().openapi(), trading=None)
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert doc["x-velox-unavailable"] == ["trading"]
    assert doc["info"]["description"].endswith("operations are missing: trading.")
    assert "trading" not in {tag["name"] for tag in doc["tags"]}
    # Without billing, commerce's schemas collide with nobody and keep their names.
    assert {"Item", "Tax", "Rate", "Card"} <= set(doc["components"]["schemas"])
    assert operation(doc, "/v1/commerce/status")["operationId"] == "get_status"


def test_merging_leaves_its_inputs_untouched() -> None:
    gateway, commerce = gateway_app().openapi(), commerce_app().openapi()
    before = copy.deepcopy((gateway, commerce))
    merge_openapi(gateway, {"commerce": commerce}, title="t", version="1", description="")
    assert (gateway, commerce) == before
