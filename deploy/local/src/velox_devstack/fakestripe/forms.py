"""Stripe's request encoding: form fields with bracket paths (``items[0][price]=p``).

Example::

    decode("items[0][price]=p&metadata[a]=1&expand[]=x")
    # {"items": [{"price": "p"}], "metadata": {"a": "1"}, "expand": ["x"]}
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["decode", "truthy"]

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
