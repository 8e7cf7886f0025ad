"""Where tax rates come from: the port the calculator's callers use.

The calculator is pure and takes the rates already chosen for the address
(:class:`~velox_commerce.pricing.model.TaxRate`); a ``TaxProvider`` chooses them. Several
rates may apply to one tax code (state and county, say): they are all returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from velox_commerce.pricing.model import TaxRate

__all__ = ["TaxProvider"]


class TaxProvider(Protocol):
    async def rates(
        self,
        *,
        country: str,
        region: str | None,
        postal_code: str | None,
        tax_codes: Sequence[str],
    ) -> tuple[TaxRate, ...]:
        """Every rate for ``tax_codes`` at the address (an empty tuple: untaxed)."""
        ...
