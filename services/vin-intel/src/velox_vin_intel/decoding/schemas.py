"""The shape of one VIN decode, as the API returns it and as bulk jobs and history store it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CheckDigit", "Enrichment", "Issue", "VinDecode"]

Enrichment = Literal["vpic", "cache", "offline", "unavailable"]


class CheckDigit(BaseModel):
    model_config = ConfigDict(frozen=True)

    valid: bool = Field(description="Whether position 9 holds the digit the VIN's weights give.")
    expected: str | None = Field(
        description="The check digit the other 16 characters call for (0-9 or X); null when the "
        "VIN has characters outside the VIN alphabet."
    )
    actual: str = Field(description="The character found at position 9.")


class Issue(BaseModel):
    """One reason a VIN is not valid, or a caveat about its decode."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(
        description="Stable machine code: check_digit, model_year_character, unknown_wmi, ..."
    )
    detail: str
    position: int | None = Field(None, description="1-based VIN position the issue is about.")


class VinDecode(BaseModel):
    """One decoded VIN. ``attributes`` holds everything beyond the named fields."""

    vin: str
    valid: bool
    issues: list[Issue] = Field(default_factory=list)
    check_digit: CheckDigit
    wmi: str
    vds: str
    vis: str
    make: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    model_year: int | None = None
    series: str | None = None
    trim: str | None = None
    body_class: str | None = None
    vehicle_type: str | None = None
    country: str | None = None
    region: str | None = None
    plant_code: str
    serial: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    enrichment: Enrichment = "offline"
