"""Component name collisions between documents, and the ``$ref`` rewriting that fixes them.

Two documents may each define a component ``Foo``. When the definitions are equal they
share one entry. When they differ, the platform's and then the gateway's definition keep
the plain name; every other definition is renamed ``<service>__Foo``. Among services alone
no one wins: each conflicting service gets its own prefixed name, so the result does not
depend on the order the services are listed in.

A rename can make other definitions differ (two equal ``Money`` schemas that reference two
different ``Currency`` schemas), so renames are computed until nothing changes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COMPONENT_SECTIONS",
    "HTTP_METHODS",
    "Renames",
    "Source",
    "apply_renames",
    "operations",
    "prefixed",
    "resolve_renames",
    "rewrite_refs",
]

COMPONENT_SECTIONS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

PLATFORM_RANK, GATEWAY_RANK, SERVICE_RANK = 0, 1, 2

# (section, name) -> new name, for one source document.
Renames = dict[tuple[str, str], str]


@dataclass
class Source:
    """One document taking part in the merge; lower ``rank`` keeps its names on conflict."""

    name: str
    rank: int
    doc: dict[str, Any]

    def components(self) -> dict[str, Any]:
        found = self.doc.get("components")
        return found if isinstance(found, dict) else {}


def prefixed(source: str, name: str) -> str:
    """``billing`` + ``Foo`` -> ``billing__Foo`` (``price-intel`` -> ``price_intel__...``)."""
    return f"{source.replace('-', '_')}__{name}"


def operations(doc: Mapping[str, Any], key: str = "paths") -> Iterator[dict[str, Any]]:
    """Every operation object of ``doc``'s ``paths`` (or ``webhooks``)."""
    items = doc.get(key)
    if not isinstance(items, dict):
        return
    for item in items.values():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield operation


def _rewrite_ref(value: str, renames: Renames) -> str:
    parts = value.split("/")
    if len(parts) < 4 or parts[0] != "#" or parts[1] != "components":
        return value
    new = renames.get((parts[2], parts[3]))
    if new is None:
        return value
    return "/".join([*parts[:3], new, *parts[4:]])


def rewrite_refs(node: Any, renames: Renames) -> Any:
    """A copy of ``node`` with local ``$ref``s (and discriminator mappings) renamed."""
    if not renames:
        return node
    if isinstance(node, list):
        return [rewrite_refs(item, renames) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = _rewrite_ref(value, renames)
        elif key == "discriminator" and isinstance(value, dict):
            mapping = value.get("mapping")
            out[key] = dict(value)
            if isinstance(mapping, dict):
                out[key]["mapping"] = {
                    tag: _rewrite_ref(target, renames) if isinstance(target, str) else target
                    for tag, target in mapping.items()
                }
        else:
            out[key] = rewrite_refs(value, renames)
    return out


def _canonical(definition: Any) -> str:
    return json.dumps(definition, sort_keys=True, separators=(",", ":"))


def _candidates(
    sources: Sequence[Source], renames: Mapping[str, Renames]
) -> dict[tuple[str, str], list[tuple[Source, str]]]:
    """Every still-unrenamed component, as it reads under the renames so far."""
    found: dict[tuple[str, str], list[tuple[Source, str]]] = defaultdict(list)
    for source in sources:
        own = renames[source.name]
        for section, entries in source.components().items():
            if section not in COMPONENT_SECTIONS or not isinstance(entries, dict):
                continue
            for name, definition in entries.items():
                if (section, name) not in own:
                    found[(section, name)].append(
                        (source, _canonical(rewrite_refs(definition, own)))
                    )
    return found


def _losers(definitions: list[tuple[Source, str]]) -> list[Source]:
    if len({text for _, text in definitions}) < 2:
        return []
    top = min(source.rank for source, _ in definitions)
    owners = [text for source, text in definitions if source.rank == top]
    if top < SERVICE_RANK and len(owners) == 1:
        return [source for source, text in definitions if text != owners[0]]
    return [source for source, _ in definitions if source.rank == SERVICE_RANK]


def resolve_renames(sources: Sequence[Source]) -> dict[str, Renames]:
    """For each source (by name), the components it must rename to avoid a conflict."""
    renames: dict[str, Renames] = {source.name: {} for source in sources}
    while True:
        changed = False
        for (section, name), definitions in _candidates(sources, renames).items():
            for source in _losers(definitions):
                renames[source.name][(section, name)] = prefixed(source.name, name)
                changed = True
        if not changed:
            return renames


def _rename_security(requirements: Any, schemes: Mapping[str, str]) -> Any:
    if not isinstance(requirements, list):
        return requirements
    return [
        {schemes.get(name, name): scopes for name, scopes in requirement.items()}
        if isinstance(requirement, dict)
        else requirement
        for requirement in requirements
    ]


def apply_renames(doc: dict[str, Any], renames: Renames) -> dict[str, Any]:
    """``doc`` with the renamed components under their new keys and every reference fixed."""
    if not renames:
        return doc
    out: dict[str, Any] = rewrite_refs(doc, renames)
    components = out.get("components", {})
    for (section, name), new in renames.items():
        entries = components.get(section, {})
        entries[new] = entries.pop(name)
    schemes = {old: new for (section, old), new in renames.items() if section == "securitySchemes"}
    if schemes:
        if "security" in out:
            out["security"] = _rename_security(out["security"], schemes)
        for key in ("paths", "webhooks"):
            for operation in operations(out, key):
                if "security" in operation:
                    operation["security"] = _rename_security(operation["security"], schemes)
    return out
