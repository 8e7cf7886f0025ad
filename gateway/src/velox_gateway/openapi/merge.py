"""One OpenAPI 3.1 document out of the gateway's and every service's own."""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from velox_gateway.openapi.collisions import (
    GATEWAY_RANK,
    HTTP_METHODS,
    PLATFORM_RANK,
    SERVICE_RANK,
    Source,
    apply_renames,
    operations,
    prefixed,
    resolve_renames,
)
from velox_gateway.openapi.components import GLOBAL_SECURITY, platform_components
from velox_gateway.openapi.operations import INFRASTRUCTURE_PATHS, decorate, normalize

__all__ = ["GATEWAY", "OPENAPI_VERSION", "merge_openapi"]

_log = logging.getLogger("velox.gateway.openapi")

OPENAPI_VERSION = "3.1.0"
GATEWAY = "gateway"
_PLATFORM = "platform"
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def merge_openapi(
    gateway: dict[str, Any],
    services: Mapping[str, dict[str, Any] | None],
    *,
    title: str,
    version: str,
    description: str,
) -> dict[str, Any]:
    """Merge the gateway's document and each service's (``None``: unreachable) into one.

    Pure: the inputs are left untouched. Unreachable services are omitted and listed in
    ``x-velox-unavailable`` and in ``info.description``.

    Example::

        merge_openapi(app.openapi(), {"commerce": commerce_doc, "billing": None},
                      title="Velox API", version="1.0.0", description="Velox business APIs.")
    """
    unavailable = [name for name, doc in services.items() if doc is None]
    sources = _sources(gateway, {name: doc for name, doc in services.items() if doc is not None})
    renames = resolve_renames(sources)
    for source in sources:
        source.doc = apply_renames(source.doc, renames[source.name])
    documents = sources[1:]
    for source in documents:
        _decorate(source, renames[source.name].get(("schemas", "HTTPValidationError")))
    _unique_operation_ids(documents)
    merged: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": _info(title, version, description, unavailable),
        "security": copy.deepcopy(GLOBAL_SECURITY),
        "tags": _tags(documents),
        "paths": _merge_items(documents, "paths"),
        "components": _merge_components(sources),
        "x-tagGroups": _tag_groups(documents),
    }
    webhooks = _merge_items(documents, "webhooks")
    if webhooks:
        merged["webhooks"] = webhooks
    if unavailable:
        merged["x-velox-unavailable"] = unavailable
    _prune_fastapi_validation(merged)
    return merged


def _sources(gateway: dict[str, Any], services: Mapping[str, dict[str, Any]]) -> list[Source]:
    platform = {"components": platform_components()}
    return [
        Source(_PLATFORM, PLATFORM_RANK, platform),
        Source(GATEWAY, GATEWAY_RANK, normalize(gateway, drop=frozenset())),
        *(
            Source(name, SERVICE_RANK, normalize(doc, drop=INFRASTRUCTURE_PATHS))
            for name, doc in services.items()
        ),
    ]


def _decorate(source: Source, validation_schema: str | None) -> None:
    for operation in operations(source.doc):
        decorate(
            operation,
            tag=source.name,
            proxied=source.rank == SERVICE_RANK,
            validation_schema=validation_schema or _FASTAPI_VALIDATION[0],
        )
    for operation in operations(source.doc, "webhooks"):
        if not operation.get("tags"):
            operation["tags"] = [source.name]


def _all_operations(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    return chain(operations(doc), operations(doc, "webhooks"))


def _unique_operation_ids(documents: Sequence[Source]) -> None:
    """Service operation ids shared with another document get the service's prefix."""
    owners: dict[str, set[str]] = defaultdict(set)
    for source in documents:
        for operation in _all_operations(source.doc):
            if isinstance(operation.get("operationId"), str):
                owners[operation["operationId"]].add(source.name)
    seen: set[str] = set()
    for source in documents:
        for operation in _all_operations(source.doc):
            wanted = operation.get("operationId")
            if not isinstance(wanted, str):
                continue
            if len(owners[wanted]) > 1 and source.rank == SERVICE_RANK:
                wanted = prefixed(source.name, wanted)
            unique, n = wanted, 2
            while unique in seen:  # a duplicate inside one document: last resort
                unique, n = f"{wanted}_{n}", n + 1
            seen.add(unique)
            operation["operationId"] = unique


def _info(title: str, version: str, description: str, unavailable: list[str]) -> dict[str, Any]:
    text = description
    if unavailable:
        note = (
            "Unavailable while this document was built, so their operations are missing: "
            + ", ".join(unavailable)
            + "."
        )
        text = f"{text}\n\n{note}" if text else note
    info: dict[str, Any] = {"title": title, "version": version}
    if text:
        info["description"] = text
    return info


def _describe(source: Source) -> str:
    if source.rank == GATEWAY_RANK:
        return "Operations the gateway serves itself."
    info = source.doc.get("info") or {}
    title = info.get("title") or source.name
    return f"{title}: {info['description']}" if info.get("description") else str(title)


def _tags(documents: Sequence[Source]) -> list[dict[str, Any]]:
    tags: dict[str, dict[str, Any]] = {}
    for source in documents:
        tags.setdefault(source.name, {"name": source.name, "description": _describe(source)})
        for tag in source.doc.get("tags") or []:
            if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                tags.setdefault(tag["name"], tag)
    return list(tags.values())


def _tag_groups(documents: Sequence[Source]) -> list[dict[str, Any]]:
    """``x-tagGroups`` (read by Redoc and others): each document's tags under its name."""
    groups = []
    for source in documents:
        used = dict.fromkeys(
            tag for operation in _all_operations(source.doc) for tag in operation["tags"]
        )
        if used:
            groups.append({"name": source.name, "tags": list(used)})
    return groups


def _merge_items(documents: Sequence[Source], key: str) -> dict[str, Any]:
    """Path items (or webhooks) of all documents; a method defined twice keeps the first."""
    merged: dict[str, dict[str, Any]] = {}
    for source in documents:
        for path, item in (source.doc.get(key) or {}).items():
            if not isinstance(item, dict):
                continue
            target = merged.setdefault(path, {})
            for field, value in item.items():
                if field in HTTP_METHODS and field in target:
                    _log.warning(
                        "openapi operation defined twice; keeping the first",
                        extra={"path": path, "method": field, "service": source.name},
                    )
                    continue
                target.setdefault(field, value)
    return merged


def _merge_components(sources: Sequence[Source]) -> dict[str, Any]:
    merged: dict[str, dict[str, Any]] = {}
    for source in sources:
        for section, entries in source.components().items():
            if not isinstance(entries, dict):
                continue
            target = merged.setdefault(section, {})
            for name, definition in entries.items():
                if target.setdefault(name, definition) != definition:
                    _log.warning(
                        "openapi component defined twice; keeping the first",
                        extra={"section": section, "component": name, "service": source.name},
                    )
    return {section: dict(sorted(entries.items())) for section, entries in merged.items()}


def _refs(node: Any, skip: set[int], found: set[str]) -> set[str]:
    if id(node) in skip:
        return found
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                _refs(value, skip, found)
    elif isinstance(node, list):
        for item in node:
            _refs(item, skip, found)
    return found


def _prune_fastapi_validation(merged: dict[str, Any]) -> None:
    """Drop FastAPI's validation schemas once no 422 refers to them any more."""
    schemas: dict[str, Any] = merged["components"].get("schemas", {})
    for base in _FASTAPI_VALIDATION:
        names = [name for name in schemas if name == base or name.endswith(f"__{base}")]
        used = _refs(merged, {id(schemas[name]) for name in names}, set())
        for name in names:
            if f"#/components/schemas/{name}" not in used:
                del schemas[name]
