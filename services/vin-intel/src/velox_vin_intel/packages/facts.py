"""What the engine knows about a vehicle: the decode's named fields and vPIC attributes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from velox_vin_intel.decoding.schemas import VinDecode

__all__ = ["VehicleFacts", "drive_code", "electrification_code"]

# vPIC DriveType strings start with the code ("AWD/All-Wheel Drive"); older ones spell it out.
_DRIVE_PREFIXES = (
    ("AWD", "AWD"),
    ("ALL WHEEL", "AWD"),
    ("ALL-WHEEL", "AWD"),
    ("4WD", "4WD"),
    ("4X4", "4WD"),
    ("4-WHEEL", "4WD"),
    ("FOUR", "4WD"),
    ("FWD", "FWD"),
    ("FRONT", "FWD"),
    ("RWD", "RWD"),
    ("REAR", "RWD"),
    ("2WD", "2WD"),
    ("4X2", "2WD"),
)


def drive_code(value: str | None) -> str | None:
    """``AWD``, ``4WD``, ``FWD``, ``RWD`` or ``2WD`` for a vPIC DriveType (None if unknown)."""
    if not value:
        return None
    upper = value.strip().upper()
    for prefix, code in _DRIVE_PREFIXES:
        if upper.startswith(prefix):
            return code
    return None


def electrification_code(value: str | None) -> str | None:
    """``BEV``, ``PHEV``, ``FCEV``, ``MHEV`` or ``HEV`` for a vPIC ElectrificationLevel."""
    if not value:
        return None
    upper = value.upper()
    for marker, code in (("PHEV", "PHEV"), ("FCEV", "FCEV"), ("BEV", "BEV"), ("MILD", "MHEV")):
        if marker in upper:
            return code
    return "HEV" if "HEV" in upper or "HYBRID" in upper else None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None


@dataclass(frozen=True)
class VehicleFacts:
    """The input of package identification; every field but the VIN may be unknown."""

    vin: str
    make: str | None = None
    model: str | None = None
    model_year: int | None = None
    series: str | None = None
    trim: str | None = None
    body_class: str | None = None
    drive: str | None = None
    fuel: str | None = None
    engine_model: str | None = None
    engine_cylinders: int | None = None
    displacement_l: float | None = None
    electrification: str | None = None

    @classmethod
    def from_decode(cls, decode: VinDecode) -> VehicleFacts:
        """Facts from a decode; attribute values of the wrong type are treated as unknown."""
        attrs = decode.attributes
        return cls(
            vin=decode.vin.strip().upper(),
            make=decode.make,
            model=decode.model,
            model_year=decode.model_year,
            series=decode.series,
            trim=decode.trim,
            body_class=decode.body_class,
            drive=_text(attrs.get("drive_type")),
            fuel=_text(attrs.get("fuel_type")),
            engine_model=_text(attrs.get("engine_model")),
            engine_cylinders=_int(attrs.get("engine_cylinders")),
            displacement_l=_float(attrs.get("displacement_l")),
            electrification=_text(attrs.get("electrification_level")),
        )
