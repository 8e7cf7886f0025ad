"""Passwords (gateway users, commerce customers): Argon2id hashes, checked in constant
work, rehashed when the parameters change."""

from __future__ import annotations

import pytest
from velox_shared.passwords import hash_password, needs_rehash, verify_password


async def test_a_password_matches_its_own_salted_hash_only() -> None:
    first = await hash_password("correct horse battery")
    second = await hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second
    assert await verify_password(first, "correct horse battery")
    assert not await verify_password(first, "correct horse batterY")
    assert not needs_rehash(first)


@pytest.mark.parametrize("stored", [None, "", "scrypt$1$2$3$4$5", "$argon2id$broken"])
async def test_no_hash_or_a_foreign_one_never_matches(stored: str | None) -> None:
    assert not await verify_password(stored, "velox-timing-equaliser")
    if stored:
        assert needs_rehash(stored)
