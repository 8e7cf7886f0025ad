"""Tax rate queries; every one filters by account and store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, or_

from velox_commerce.db.checkout import TaxRate
from velox_commerce.repository import StoreRepository

__all__ = ["TaxRateRepository"]


class TaxRateRepository(StoreRepository[TaxRate]):
    model = TaxRate

    def _ordered(self, query: Select[Any]) -> Select[Any]:
        return query.order_by(
            TaxRate.country,
            TaxRate.region.nulls_first(),
            TaxRate.tax_code,
            TaxRate.name,
            TaxRate.id,
        )

    async def listing(self, *, country: str | None) -> list[TaxRate]:
        query = self.query()
        if country is not None:
            query = query.where(TaxRate.country == country)
        return list(await self.session.scalars(self._ordered(query)))

    async def same(self, *, country: str, region: str | None, tax_code: str, name: str) -> bool:
        """Whether the store has a rate of this name for this place and tax code."""
        query = self.query().where(
            TaxRate.country == country,
            TaxRate.region.is_not_distinct_from(region),
            TaxRate.tax_code == tax_code,
            TaxRate.name == name,
        )
        return await self.session.scalar(query.limit(1)) is not None

    async def for_address(
        self, *, country: str, region: str | None, tax_codes: Sequence[str]
    ) -> list[TaxRate]:
        """The country-wide rates and those of ``region`` for ``tax_codes``."""
        query = self.query().where(
            TaxRate.country == country,
            or_(TaxRate.region.is_(None), TaxRate.region == region),
            TaxRate.tax_code.in_(list(tax_codes)),
        )
        return list(await self.session.scalars(self._ordered(query)))
