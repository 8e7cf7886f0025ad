"""Password hashing with Argon2id (argon2-cffi, the OWASP first choice), off the event loop.

Used for Velox users' passwords (gateway) and shops' customers' (commerce). A hash is the
standard PHC string (``$argon2id$v=19$m=...,t=...,p=...$salt$key``), so the cost can rise
later: :func:`needs_rehash` says when a signed-in user's hash should be replaced. Checking
against no hash (an unknown email) costs the same as a real check, so it is not answered
faster than a wrong password.

Example::

    stored = await hash_password("correct horse battery")
    assert await verify_password(stored, "correct horse battery")
    assert not await verify_password(None, "correct horse battery")
"""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "needs_rehash", "verify_password"]

_hasher = PasswordHasher()


@cache
def _decoy() -> str:
    """Checked when there is no hash, so both paths cost the same time (made on first
    use: a hash costs a quarter of a second, which every process would pay at import)."""
    return _hasher.hash("velox-timing-equaliser")


async def hash_password(password: str) -> str:
    """A new salted Argon2id hash of ``password``."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False, after the same work, when
    there is no hash (None or empty) or it is not an Argon2 one."""

    def check() -> bool:
        try:
            matches = _hasher.verify(password_hash or _decoy(), password)
        except (VerificationError, InvalidHashError):
            return False
        return matches and bool(password_hash)

    return await asyncio.to_thread(check)


def needs_rehash(password_hash: str) -> bool:
    """Whether ``password_hash`` was made with other parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
