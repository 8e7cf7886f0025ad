"""Tax rate rules: a rate per country (or one of its regions) and tax code, as a percentage
from 0 to 100 with at most four decimals; one rate of a name per place and tax code."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.ids import new_id

from velox_commerce.db.catalog import Store
from velox_commerce.db.checkout import TaxRate
from velox_commerce.errors import DuplicateHandle, ResourceNotFound
from velox_commerce.tax.repository import TaxRateRepository
from velox_commerce.tax.schemas import TaxRateCreate, TaxRateOut, format_rate

__all__ = ["TaxRateService", "rate_out"]


def rate_out(rate: TaxRate) -> TaxRateOut:
    return TaxRateOut(
        id=rate.id,
        name=rate.name,
        country=rate.country,
        region=rate.region,
        tax_code=rate.tax_code,
        rate=format_rate(Decimal(rate.rate)),
        created_at=rate.created_at,
    )


class TaxRateService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.repo = TaxRateRepository(session, store)

    async def create(self, data: TaxRateCreate) -> TaxRateOut:
        # Two rates of one name for one place would tax the same thing twice.
        if await self.repo.same(
            country=data.country, region=data.region, tax_code=data.tax_code, name=data.name
        ):
            raise DuplicateHandle(
                f"{data.name!r} already taxes {data.tax_code} in "
                f"{data.country}{'-' + data.region if data.region else ''}."
            )
        rate = TaxRate(
            id=new_id("tax"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            **data.model_dump(),
        )
        return rate_out(await self.repo.add(rate))

    async def listing(self, *, country: str | None) -> list[TaxRateOut]:
        return [rate_out(rate) for rate in await self.repo.listing(country=country)]

    async def delete(self, rate_id: str) -> None:
        rate = await self.repo.get(rate_id)
        if rate is None:
            raise ResourceNotFound.of("tax rate", rate_id)
        await self.repo.delete(rate)
