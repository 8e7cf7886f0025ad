"""Who a storefront call is for: a signed-in customer (``X-Customer-Token``, see
:mod:`velox_commerce.customers.storefront`) or a guest named by an opaque token the
storefront keeps for the visitor (``X-Guest-Token``, a cookie value for instance).

Wishlists and recently viewed products belong to an *owner*: ``customer:<id>`` or
``guest:<token>``. The storefront calls with the merchant's API key, so the guest token is
its word, as a cart id is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header
from velox_shared.errors import PROBLEM_JSON

from velox_commerce.customers.accounts import CustomerAccounts
from velox_commerce.customers.errors import InvalidCustomerToken
from velox_commerce.customers.storefront import CustomerToken
from velox_commerce.db.customers import Customer
from velox_commerce.deps import ContextDep, SessionDep, StoreDep

__all__ = [
    "GuestAndCustomerDep",
    "GuestToken",
    "MaybeCustomerDep",
    "ShopperDep",
    "guest_and_customer",
    "maybe_customer",
    "shopper",
    "with_sign_in",
]

GuestToken = Annotated[
    str | None,
    Header(
        alias="X-Guest-Token",
        min_length=16,
        max_length=128,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The storefront's opaque id of a visitor who is not signed in "
        "(16-128 characters: letters, digits, `-`, `_`).",
    ),
]


async def maybe_customer(
    store: StoreDep, session: SessionDep, context: ContextDep, token: CustomerToken = None
) -> Customer | None:
    """The customer of ``X-Customer-Token`` (401 for a token that is not a live one), or
    None without the header."""
    if token is None:
        return None
    return await CustomerAccounts(session, store, context).current(token)


MaybeCustomerDep = Annotated[Customer | None, Depends(maybe_customer)]


async def shopper(customer: MaybeCustomerDep, guest: GuestToken = None) -> str:
    """The owner of the lists this call reads or changes (the customer when both are sent)."""
    if customer is not None:
        return f"customer:{customer.id}"
    if guest is not None:
        return f"guest:{guest}"
    raise InvalidCustomerToken("Send X-Customer-Token (signed in) or X-Guest-Token (a visitor).")


ShopperDep = Annotated[str, Depends(shopper)]


async def guest_and_customer(
    customer: MaybeCustomerDep, guest: GuestToken = None
) -> tuple[str, str]:
    """``(guest owner, customer owner)`` of a call that sends both tokens (else 401)."""
    if customer is None or guest is None:
        raise InvalidCustomerToken("Send both X-Customer-Token and X-Guest-Token.")
    return f"guest:{guest}", f"customer:{customer.id}"


GuestAndCustomerDep = Annotated[tuple[str, str], Depends(guest_and_customer)]


def with_sign_in(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """``responses`` plus the 401 of a customer token that is not a live one."""
    unauthorized = {"description": "X-Customer-Token is not a live one (or no shopper sent)"}
    return {**responses, 401: {**unauthorized, "content": {PROBLEM_JSON: {}}}}
