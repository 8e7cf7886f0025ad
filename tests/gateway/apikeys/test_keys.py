"""API key format: prefix, checksum, keyed hash."""

from __future__ import annotations

from velox_gateway.apikeys.keys import display_prefix, generate_key, hash_key, is_well_formed


def test_generated_keys_carry_their_environment_and_pass_the_checksum() -> None:
    key = generate_key("live")
    assert key.startswith("vx_live_")
    assert len(key) == len("vx_live_") + 30
    assert is_well_formed(key)
    assert display_prefix(key) == key[:16]


def test_a_mistyped_key_fails_the_checksum() -> None:
    key = generate_key("test")
    typo = key[:10] + ("A" if key[10] != "A" else "B") + key[11:]
    assert not is_well_formed(typo)
    assert not is_well_formed(key[:-1])
    assert not is_well_formed("vx_prod_" + key[8:])
    assert not is_well_formed("")


def test_keys_are_stored_as_a_keyed_hash() -> None:
    key = generate_key("test")
    digest = hash_key(key, "pepper-one")
    assert digest != hash_key(key, "pepper-two")
    assert key not in digest
    assert len(digest) == 64
