"""One request sent several times at the same moment, and what the copies were answered
(shared by the tests of keyed and repeated requests racing each other)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok
from tests.services.commerce.setup.helpers import problem

AT_ONCE = 5


async def at_once(
    *sends: Callable[[], Awaitable[httpx.Response]], times: int = 1
) -> list[httpx.Response]:
    """Each of ``sends`` made ``times`` times, all at once; the answers in that order."""
    return list(await asyncio.gather(*(send() for send in sends for _ in range(times))))


def same_answer(answers: list[httpx.Response], status: int) -> dict[str, Any]:
    """The one answer every copy got: ``status``, and the same body for all."""
    assert [a.status_code for a in answers] == [status] * len(answers), [a.text for a in answers]
    first: dict[str, Any] = answers[0].json()
    assert all(a.json() == first for a in answers), [a.text for a in answers]
    return first


def one_of_two(answers: list[httpx.Response]) -> tuple[int, dict[str, Any]]:
    """Of two requests with one key made together: which one was answered (its index
    and body, a 201); the other was refused as the key's reuse."""
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    made = next(i for i, a in enumerate(answers) if a.status_code == 201)
    assert problem(answers[1 - made], 409)["type"].endswith("/idempotency-key-reused")
    body: dict[str, Any] = answers[made].json()
    return made, body


@dataclass(frozen=True)
class KeyRace:
    """What :func:`one_key_on_two_orders` made: the account's caller and store, the key,
    the answer made with it, the order it left untouched, and the other account's order."""

    client: httpx.AsyncClient
    seeded: Seeded
    key: str
    answer: dict[str, Any]
    untouched: dict[str, Any]
    theirs: dict[str, Any]


async def one_key_on_two_orders(
    shop: Shop,
    unique: str,
    name: str,
    store: Callable[[httpx.AsyncClient], Awaitable[Seeded]],
    order: Callable[[httpx.AsyncClient, Seeded], Awaitable[dict[str, Any]]],
    send: Callable[[httpx.AsyncClient, Seeded, dict[str, Any], str], Awaitable[httpx.Response]],
) -> KeyRace:
    """Two orders of an account (``name``) and one of another account, each in a
    ``store`` of its account, and ``send`` for the three at once with one
    ``Idempotency-Key``: of the account's two, one is made (a 201 for its order) and the
    other refused as the key's reuse; the other account's is made too (keys are per
    account)."""
    client = shop.client(shop.account(name, unique))
    other = shop.client(shop.account(f"{name}other", unique))
    seeded, foreign = await store(client), await store(other)
    one, two = await order(client, seeded), await order(client, seeded)
    theirs = await order(other, foreign)
    key = f"shared-{unique}"
    *ours, their_answer = await at_once(
        lambda: send(client, seeded, one, key),
        lambda: send(client, seeded, two, key),
        lambda: send(other, foreign, theirs, key),
    )
    made, answer = one_of_two(ours)
    assert answer["order_id"] == (one, two)[made]["id"]
    assert ok(their_answer, 201)["order_id"] == theirs["id"]
    return KeyRace(client, seeded, key, answer, (one, two)[1 - made], theirs)
