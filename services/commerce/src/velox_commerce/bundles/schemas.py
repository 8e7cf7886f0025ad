"""Wire models of bundles."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["BundleComponentIn", "BundleComponentOut", "BundleIn", "BundleOut"]


class BundleComponentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant_id: str = Field(max_length=40, description="A variant of the same store.")
    quantity: int = Field(ge=1, le=1000, description="Units in one bundle.")


class BundleIn(BaseModel):
    """The bundle's components (replacing any it had)."""

    model_config = ConfigDict(extra="forbid")

    components: list[BundleComponentIn] = Field(min_length=1, max_length=50)

    @field_validator("components")
    @classmethod
    def _unique(cls, value: list[BundleComponentIn]) -> list[BundleComponentIn]:
        ids = [c.variant_id for c in value]
        if len(set(ids)) != len(ids):
            raise ValueError("a variant is listed twice; give its total quantity once")
        return value


class BundleComponentOut(BaseModel):
    variant_id: str
    product_id: str
    sku: str
    title: str
    quantity: int
    available: int | None = Field(
        description="Units the component can still sell (null: not limited)."
    )


class BundleOut(BaseModel):
    variant_id: str
    product_id: str
    sku: str
    title: str
    components: list[BundleComponentOut]
    available: int | None = Field(
        description="Bundles the components' stock makes: the least of available // quantity"
        " over the components that limit sales (null: none does)."
    )
