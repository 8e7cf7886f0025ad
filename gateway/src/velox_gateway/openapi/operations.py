"""Per-document clean-up and per-operation additions: tags, error responses, headers."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from velox_shared.errors import PROBLEM_JSON

from velox_gateway.openapi.collisions import HTTP_METHODS, operations
from velox_gateway.openapi.components import (
    ERROR_RESPONSES,
    PROBLEM_SCHEMA,
    SUCCESS_HEADERS,
    VALIDATION_PROBLEM_SCHEMA,
    ref,
)

__all__ = ["INFRASTRUCTURE_PATHS", "decorate", "normalize"]

# Probes, metrics and docs of a service are not part of the public API (the gateway answers
# those paths itself); services hide them already, this is the second line of defence.
INFRASTRUCTURE_PATHS = frozenset(
    {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
)
_AUTH_ERRORS = ("401", "403")
_PROXY_ERRORS = ("429", "503")


def _push_down_parameters(item: dict[str, Any]) -> dict[str, Any]:
    # Path-level parameters would leak onto another document's operations when two
    # documents share a path, so each operation gets its own copy.
    shared = item.pop("parameters", None)
    if not isinstance(shared, list):
        return item
    for method in HTTP_METHODS:
        operation = item.get(method)
        if not isinstance(operation, dict):
            continue
        own = operation.get("parameters") or []
        taken = {(p.get("name"), p.get("in")) for p in own if isinstance(p, dict)}
        inherited = [p for p in shared if (p.get("name"), p.get("in")) not in taken]
        operation["parameters"] = copy.deepcopy(inherited) + own
    return item


def normalize(doc: Mapping[str, Any], *, drop: frozenset[str]) -> dict[str, Any]:
    """A copy of ``doc`` without the ``drop`` paths and with no document-wide settings.

    Path-level parameters and the document's own ``security`` move into the operations,
    since the merged document's paths and ``security`` are shared by everyone.
    """
    out = copy.deepcopy(dict(doc))
    paths = out.get("paths")
    out["paths"] = {
        path: _push_down_parameters(item)
        for path, item in (paths.items() if isinstance(paths, dict) else ())
        if path not in drop and isinstance(item, dict)
    }
    security = out.pop("security", None)
    if security is not None:
        for key in ("paths", "webhooks"):
            for operation in operations(out, key):
                operation.setdefault("security", copy.deepcopy(security))
    return out


def _is_default_validation(response: Any, validation_schema: str) -> bool:
    if not isinstance(response, dict) or not isinstance(response.get("content"), dict):
        return False
    target = f"#/components/schemas/{validation_schema}"
    return any(
        isinstance(media, dict) and (media.get("schema") or {}).get("$ref") == target
        for media in response["content"].values()
    )


def _fill_problem_schemas(responses: dict[str, Any]) -> None:
    for code, response in responses.items():
        content = response.get("content") if isinstance(response, dict) else None
        media = content.get(PROBLEM_JSON) if isinstance(content, dict) else None
        if isinstance(media, dict) and "schema" not in media:
            schema = VALIDATION_PROBLEM_SCHEMA if code == "422" else PROBLEM_SCHEMA
            media["schema"] = ref("schemas", schema)


def _add_success_headers(responses: dict[str, Any]) -> None:
    for code, response in responses.items():
        if not code.startswith("2") or not isinstance(response, dict) or "$ref" in response:
            continue
        headers = response.setdefault("headers", {})
        present = {name.lower() for name in headers}
        for name in SUCCESS_HEADERS:
            if name.lower() not in present:
                headers[name] = ref("headers", name)


def decorate(operation: dict[str, Any], *, tag: str, proxied: bool, validation_schema: str) -> None:
    """Tag ``operation`` if untagged and document the platform's errors and headers on it.

    ``validation_schema`` is the (possibly renamed) name of FastAPI's ``HTTPValidationError``
    in the operation's document; a 422 pointing at it becomes the problem+json variant.
    Public operations (``security: []``) get no 401/403; ``proxied`` ones (served by a
    service behind the gateway's limits) also get 429 and 503.
    """
    if not operation.get("tags"):
        operation["tags"] = [tag]
    responses = {str(code): value for code, value in (operation.get("responses") or {}).items()}
    if _is_default_validation(responses.get("422"), validation_schema):
        responses["422"] = ref("responses", ERROR_RESPONSES["422"])
    _fill_problem_schemas(responses)
    codes = () if operation.get("security") == [] else _AUTH_ERRORS
    for code in codes + (_PROXY_ERRORS if proxied else ()):
        responses.setdefault(code, ref("responses", ERROR_RESPONSES[code]))
    _add_success_headers(responses)
    operation["responses"] = dict(
        sorted(responses.items(), key=lambda kv: (kv[0] == "default", kv[0]))
    )
