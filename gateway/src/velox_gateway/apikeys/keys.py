"""API key format: ``vx_<env>_<24 random base62><6 char checksum>``.

The checksum (CRC32 of the rest, base62) lets the gateway reject a mistyped or truncated
key before any lookup; the key is stored only as HMAC-SHA256 under a server-side pepper,
so a database leak does not leak usable keys.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import zlib

__all__ = ["display_prefix", "generate_key", "hash_key", "is_well_formed"]

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PATTERN = re.compile(r"^vx_(live|test)_([0-9A-Za-z]{24})([0-9A-Za-z]{6})$")


def _b62(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        out.append(_B62[digit])
    return "".join(reversed(out))


def _checksum(body: str) -> str:
    return _b62(zlib.crc32(body.encode()), 6)


def generate_key(environment: str) -> str:
    """A new key, e.g. ``vx_test_4fQ...`` (shown to its owner once)."""
    random = "".join(secrets.choice(_B62) for _ in range(24))
    body = f"vx_{environment}_{random}"
    return body + _checksum(body)


def is_well_formed(key: str) -> bool:
    match = _PATTERN.match(key)
    if not match:
        return False
    body = key[:-6]
    return hmac.compare_digest(_checksum(body), key[-6:])


def display_prefix(key: str) -> str:
    """What lists show: ``vx_test_4fQa1b2C`` (environment plus 8 random characters)."""
    return key[: key.index("_", 3) + 9]


def hash_key(key: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()
