"""The table-backed :class:`~velox_commerce.pricing.tax.TaxProvider`: the store's own rates.

It is the one place rates are chosen for an address; a provider backed by an external tax
service (Avalara, TaxJar, Stripe Tax) takes its place behind the same protocol.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from velox_commerce import pricing
from velox_commerce.carts.pricing_input import tax_input
from velox_commerce.db.catalog import Store
from velox_commerce.tax.repository import TaxRateRepository

__all__ = ["TableTaxProvider"]


class TableTaxProvider:
    """Rates from the store's ``tax_rates``: the country-wide ones and those of the region.

    Several rates may apply to one tax code (a country's and a region's): all are returned,
    country-wide first. ``postal_code`` is not used (the table has no postal granularity).
    A stored percentage becomes whole basis points, rounded half up (8.875 % -> 888).
    """

    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.repo = TaxRateRepository(session, store)

    async def rates(
        self,
        *,
        country: str,
        region: str | None,
        postal_code: str | None,
        tax_codes: Sequence[str],
    ) -> tuple[pricing.TaxRate, ...]:
        if not tax_codes:
            return ()
        rows = await self.repo.for_address(
            country=country.strip().upper(),
            region=region.strip().upper() if region else None,
            tax_codes=tax_codes,
        )
        return tuple(tax_input(row) for row in rows)
