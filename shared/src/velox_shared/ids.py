"""Opaque, type-prefixed identifiers (``acc_...``, ``key_...``) sortable by creation time."""

from __future__ import annotations

import os
import time

__all__ = ["new_id"]

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        out.append(_ALPHABET[digit])
    return "".join(reversed(out))


def new_id(prefix: str) -> str:
    """A new id such as ``acc_0ls8x2k1q9d3mfz7w4tr``: 9 chars of milliseconds, 13 random.

    Example::

        new_id("ord")  # 'ord_0ls8x2k1q9d3mfz7w4tr5a'
    """
    millis = int(time.time() * 1000)
    random = int.from_bytes(os.urandom(9), "big")
    return f"{prefix}_{_base36(millis, 9)}{_base36(random, 13)}"
