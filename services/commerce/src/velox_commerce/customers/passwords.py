"""Customer passwords, hashed with Argon2id by ``argon2-cffi`` (the OWASP first choice; the
gateway hashes Velox users' passwords the same way).

A hash is the standard PHC string (``$argon2id$v=19$m=...,t=...,p=...$salt$key``), so the
cost can rise later without breaking older hashes: :func:`needs_rehash` says when a
signed-in customer's hash should be replaced. Checking against no hash at all costs the
same as a real check, so an unknown email is not answered faster than a wrong password.
Both calls are CPU-bound: run them in a thread (``asyncio.to_thread``).

Example::

    stored = hash_password("correct horse battery")
    assert verify_password("correct horse battery", stored)
    assert not verify_password("wrong", None)
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "needs_rehash", "verify_password"]

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """A new salted Argon2id hash of ``password``."""
    return _hasher.hash(password)


@cache
def _decoy() -> str:
    """A hash no password is checked against for real (it equalises the work)."""
    return _hasher.hash("velox-commerce-timing-decoy")


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; False (after the same work) when there is
    no hash or it is not an Argon2 one."""
    try:
        matches = _hasher.verify(stored or _decoy(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and bool(stored)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with other parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True
