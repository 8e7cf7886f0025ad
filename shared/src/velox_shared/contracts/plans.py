"""The plan catalogue: what each tier of each product family allows.

Billing owns the catalogue (it maps Stripe prices to these tiers); the gateway enforces it.
Until billing publishes it, both read ``plans.json`` beside this module. Quota ``null``
means unlimited (still metered).

Example::

    catalog = load_catalog()
    catalog.tier("vin", "pro").quotas["vin.decodes"]  # 1000
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Catalog", "Family", "Price", "Tier", "load_catalog"]


class Price(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: int = Field(ge=0, description="Minor units (cents).")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    interval: str = "month"


class Tier(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    price: Price
    rate_per_minute: int = Field(gt=0)
    burst: int = Field(gt=0)
    features: tuple[str, ...] = ()
    quotas: dict[str, int | None] = Field(default_factory=dict)


class Family(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    service: str
    path_prefix: str
    tiers: dict[str, Tier]


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True)

    default_tier: str
    families: dict[str, Family]

    def tier(self, family: str, tier: str) -> Tier:
        return self.families[family].tiers[tier]

    def family_for_path(self, path: str) -> Family | None:
        """The family whose API prefix starts ``path`` (``/v1/vin/...`` -> ``vin``)."""
        for family in self.families.values():
            if path == family.path_prefix or path.startswith(family.path_prefix + "/"):
                return family
        return None

    def cheapest_tier_with(self, family: str, feature: str) -> str | None:
        """The lowest-priced tier of ``family`` that includes ``feature``."""
        tiers = sorted(self.families[family].tiers.values(), key=lambda t: t.price.amount)
        return next((t.name for t in tiers if feature in t.features), None)


@lru_cache(maxsize=4)
def load_catalog(path: str | None = None) -> Catalog:
    """The catalogue at ``path``, or the one shipped with this package."""
    if path:
        raw = Path(path).read_text()
    else:
        raw = resources.files(__package__).joinpath("plans.json").read_text()
    return Catalog.model_validate(json.loads(raw))
