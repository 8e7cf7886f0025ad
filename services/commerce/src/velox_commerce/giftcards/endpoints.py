"""/v1/commerce/stores/{store_id}/gift-cards: issue, look up and disable gift cards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.giftcards.schemas import GiftCardCode, GiftCardCreate, GiftCardOut
from velox_commerce.giftcards.service import GiftCardService
from velox_commerce.openapi import problems

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: gift cards"])

GiftCardId = Annotated[str, Path(max_length=40, description="The gift card's id (`gift_...`).")]


@router.post(
    "/gift-cards",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a gift card",
    responses=problems(404, 409, 422),
)
async def create_gift_card(
    data: GiftCardCreate, store: StoreDep, session: SessionDep
) -> GiftCardOut:
    """A card with a balance in one of the store's currencies and an optional expiry. The
    code is made up (16 letters and digits, none that read alike) unless given; codes are
    unique in the store and match without regard to case."""
    return await GiftCardService(session, store).create(data)


@router.get("/gift-cards", summary="List gift cards", responses=problems(400, 404, 422))
async def list_gift_cards(
    store: StoreDep,
    session: SessionDep,
    code: Annotated[GiftCardCode | None, Query(description="Exact code, any case.")] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[GiftCardOut]:
    """The store's gift cards with their balances, newest first; filter by ``code``."""
    page = await GiftCardService(session, store).page(code=code, limit=limit, cursor=cursor)
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get("/gift-cards/{gift_card_id}", summary="Get a gift card", responses=problems(404, 422))
async def get_gift_card(
    gift_card_id: GiftCardId, store: StoreDep, session: SessionDep
) -> GiftCardOut:
    """One card with its balance and status."""
    return await GiftCardService(session, store).get(gift_card_id)


@router.post(
    "/gift-cards/{gift_card_id}/disable",
    summary="Disable a gift card",
    responses=problems(404, 422),
)
async def disable_gift_card(
    gift_card_id: GiftCardId, store: StoreDep, session: SessionDep
) -> GiftCardOut:
    """Empties the card's balance (lost or refunded card): carts holding its code get a
    ``gift-card-empty`` problem. Disabling twice is harmless."""
    return await GiftCardService(session, store).disable(gift_card_id)
