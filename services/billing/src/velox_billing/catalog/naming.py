"""Stable Stripe names for the catalogue: the same tier always maps to the same objects.

Products carry our own ids (``velox-vin-pro``), prices are found by lookup key
(``velox_vin_pro_monthly``), features by the catalogue's feature key (``vin.packages``) and
meters by event name (``velox_vin_decodes``). A price amount change therefore creates a new
price and moves the lookup key to it; nothing else needs to know Stripe's ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from velox_shared.contracts.plans import Catalog, Tier

__all__ = [
    "PlanRef",
    "base_lookup_key",
    "meter_event_name",
    "overage_lookup_key",
    "paid_tiers",
    "plan_for_lookup_key",
    "product_id",
]


def product_id(family: str, tier: str) -> str:
    return f"velox-{family}-{tier}"


def base_lookup_key(family: str, tier: str) -> str:
    return f"velox_{family}_{tier}_monthly".replace("-", "_")


def overage_lookup_key(family: str, tier: str, operation: str) -> str:
    return f"velox_{family}_{tier}_{operation}_overage".replace("-", "_").replace(".", "_")


def meter_event_name(operation: str) -> str:
    return "velox_" + operation.replace(".", "_").replace("-", "_")


@dataclass(frozen=True)
class PlanRef:
    """A paid tier of one family, as a checkout or a subscription names it."""

    family: str
    tier: str

    @property
    def plan(self) -> str:
        return f"{self.family}:{self.tier}"


def paid_tiers(catalog: Catalog) -> list[tuple[str, Tier]]:
    """Every (family, tier) that is sold through Stripe."""
    return [(f.name, t) for f in catalog.families.values() for t in f.tiers.values() if t.paid]


def plan_for_lookup_key(catalog: Catalog, lookup_key: str | None) -> PlanRef | None:
    """The tier whose base price has ``lookup_key`` (None for overage or foreign prices)."""
    if not lookup_key:
        return None
    for family, tier in paid_tiers(catalog):
        if base_lookup_key(family, tier.name) == lookup_key:
            return PlanRef(family, tier.name)
    return None
