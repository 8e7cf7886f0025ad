"""Gift card rules: codes unique per store (made up when not given), a positive balance in
a currency the store offers, an expiry in the future; disabling empties the balance."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_commerce.db.catalog import Store
from velox_commerce.db.checkout import GiftCard
from velox_commerce.errors import DuplicateHandle, ResourceNotFound
from velox_commerce.giftcards.repository import GiftCardRepository
from velox_commerce.giftcards.schemas import GiftCardCreate, GiftCardOut, GiftCardStatus
from velox_commerce.store_rules import offered_currency

__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "GiftCardService", "card_out", "generate_code"]

# Upper-case letters and digits without those read alike (0/O, 1/I/L): 31 symbols, so a
# 16-character code carries 79 bits, far beyond guessing.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
_ATTEMPTS = 3


def generate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def card_out(card: GiftCard, now: datetime) -> GiftCardOut:
    status: GiftCardStatus = "active"
    if card.expires_at is not None and now >= card.expires_at:
        status = "expired"
    elif card.balance == 0:
        status = "empty"
    return GiftCardOut(
        id=card.id,
        store_id=card.store_id,
        code=card.code,
        currency=card.currency,
        initial_balance=card.initial_balance,
        balance=card.balance,
        expires_at=card.expires_at,
        status=status,
        created_at=card.created_at,
    )


class GiftCardService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.repo = GiftCardRepository(session, store)

    async def _card(self, card_id: str, *, lock: bool = False) -> GiftCard:
        card = await self.repo.get(card_id, lock=lock)
        if card is None:
            raise ResourceNotFound.of("gift card", card_id)
        return card

    async def get(self, card_id: str) -> GiftCardOut:
        return card_out(await self._card(card_id), datetime.now(UTC))

    async def page(
        self, *, code: str | None, limit: int, cursor: str | None
    ) -> PageResult[GiftCardOut]:
        page = await self.repo.filtered_page(code=code, limit=limit, cursor=cursor)
        now = datetime.now(UTC)
        return PageResult([card_out(card, now) for card in page.items], page.next_cursor)

    async def create(self, data: GiftCardCreate) -> GiftCardOut:
        currency = offered_currency(self.store, data.currency)
        now = datetime.now(UTC)
        if data.expires_at is not None and data.expires_at <= now:
            raise UnprocessableContent("expires_at: must be in the future.")
        # A made-up code that happens to exist is made up again; a given one is a conflict.
        codes = [data.code] if data.code else [generate_code() for _ in range(_ATTEMPTS)]
        for code in codes:
            card = GiftCard(
                id=new_id("gift"),
                account_id=self.store.account_id,
                store_id=self.store.id,
                code=code,
                currency=currency,
                initial_balance=data.initial_balance,
                balance=data.initial_balance,
                expires_at=data.expires_at,
            )
            try:
                async with self.session.begin_nested():
                    return card_out(await self.repo.add(card), now)
            except IntegrityError:
                continue
        raise DuplicateHandle(
            f"A gift card with code {codes[-1]!r} exists in this store.",
            extensions={"code": codes[-1]},
        )

    async def disable(self, card_id: str) -> GiftCardOut:
        """Set the balance to 0: the card pays nothing more (orders it paid keep it)."""
        card = await self._card(card_id, lock=True)
        card.balance = 0
        await self.session.flush()
        return card_out(card, datetime.now(UTC))
