"""Stripe's request encoding: form fields with bracket paths (``items[0][price]=p``), and
the reading of parameters every resource shares (integers, metadata, required ones).

Example::

    decode("items[0][price]=p&metadata[a]=1&expand[]=x")
    # {"items": [{"price": "p"}], "metadata": {"a": "1"}, "expand": ["x"]}
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from velox_devstack.fakestripe.store import ApiError

__all__ = ["decode", "integer", "merge_metadata", "metadata", "required", "truthy"]

_PART = re.compile(r"\[([^\]]*)\]")


def _path(key: str) -> list[str]:
    head = key.split("[", 1)[0]
    return [head, *_PART.findall(key[len(head) :])]


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


def decode(body: str) -> dict[str, Any]:
    """Nested dicts and lists from a Stripe form body or query string."""
    root: dict[str, Any] = {}
    appended = 0
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = _path(key)
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # "lookup_keys[]": append
                part = f"{appended:06d}"
                appended += 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return dict(_listify(root))


def truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def integer(value: Any, param: str) -> int:
    """``value`` as an int, else Stripe's 400 naming ``param``."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid integer: {value}", param=param) from None


def metadata(params: dict[str, Any]) -> dict[str, str]:
    """The ``metadata`` hash of a request."""
    raw = params.get("metadata") or {}
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def merge_metadata(target: dict[str, str], params: dict[str, Any]) -> None:
    """Stripe's update of ``metadata``: keys are merged, an empty value unsets its key."""
    for key, value in metadata(params).items():
        if value == "":
            target.pop(key, None)
        else:
            target[key] = value


def required(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        raise ApiError(400, f"Missing required param: {name}.", param=name)
    return params[name]
