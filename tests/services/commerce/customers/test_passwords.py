"""Customer passwords: Argon2id hashes, checked in constant work, rehashed when the
parameters change."""

from __future__ import annotations

import pytest
from velox_commerce.customers.passwords import hash_password, needs_rehash, verify_password


def test_a_password_matches_its_own_salted_hash_only() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password("correct horse battery", first)
    assert not verify_password("correct horse batterY", first)
    assert not needs_rehash(first)


@pytest.mark.parametrize("stored", [None, "", "scrypt$1$2$3$4$5", "$argon2id$broken"])
def test_no_hash_or_a_foreign_one_never_matches(stored: str | None) -> None:
    assert not verify_password("velox-commerce-timing-decoy", stored)
    if stored:
        assert needs_rehash(stored)
