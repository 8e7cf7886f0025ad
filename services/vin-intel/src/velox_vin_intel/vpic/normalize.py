"""vPIC's flat result rows turned into the snake_case attributes of ``VinDecode``.

vPIC answers every variable as a string; ``""`` and ``"Not Applicable"`` mean it has no
value. Numbers (model year, doors, cylinders, displacement, power, speeds) become ``int``
or ``float``; the named fields below get our keys and every other non-empty variable is
kept under ``extras`` with vPIC's own name, so nothing vPIC said is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["FIELDS", "VpicRecord", "normalise_row"]

_TEXT: Final = {
    "make": "Make",
    "manufacturer": "Manufacturer",
    "model": "Model",
    "series": "Series",
    "series2": "Series2",
    "trim": "Trim",
    "trim2": "Trim2",
    "body_class": "BodyClass",
    "vehicle_type": "VehicleType",
    "drive_type": "DriveType",
    "fuel_type": "FuelTypePrimary",
    "fuel_type_secondary": "FuelTypeSecondary",
    "engine_model": "EngineModel",
    "engine_configuration": "EngineConfiguration",
    "electrification_level": "ElectrificationLevel",
    "transmission_style": "TransmissionStyle",
    "plant_city": "PlantCity",
    "plant_state": "PlantState",
    "plant_country": "PlantCountry",
    "plant_company": "PlantCompanyName",
    "gvwr": "GVWR",
    "abs": "ABS",
    "esc": "ESC",
    "air_bag_loc_front": "AirBagLocFront",
    "error_code": "ErrorCode",
    "error_text": "ErrorText",
}
_INT: Final = {
    "model_year": "ModelYear",
    "doors": "Doors",
    "engine_cylinders": "EngineCylinders",
    "transmission_speeds": "TransmissionSpeeds",
}
_FLOAT: Final = {"displacement_l": "DisplacementL", "engine_hp": "EngineHP"}
_NAMES: Final = {**_TEXT, **_INT, **_FLOAT}
FIELDS: Final = (*_TEXT, *_INT, *_FLOAT, "extras")
_NONE: Final = frozenset({"", "Not Applicable"})


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return None if text in _NONE else text


def _number(raw: Mapping[str, Any], key: str, kind: type[int] | type[float]) -> int | float | None:
    text = _text(raw, key)
    if text is None:
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    return int(number) if kind is int else number


def normalise_row(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Our attributes for one vPIC result row; keys without a value are left out."""
    found: dict[str, Any] = {key: _text(raw, name) for key, name in _TEXT.items()}
    found.update({key: _number(raw, name, int) for key, name in _INT.items()})
    found.update({key: _number(raw, name, float) for key, name in _FLOAT.items()})
    # A number vPIC wrote in words ("CVT" speeds) stays, under its vPIC name, in extras.
    taken = {"VIN", *(_NAMES[key] for key, value in found.items() if value is not None)}
    extras = {
        name: text
        for name in sorted(raw)
        if name not in taken and (text := _text(raw, name)) is not None
    }
    if extras:
        found["extras"] = extras
    return {key: value for key, value in found.items() if value is not None}


@dataclass(frozen=True)
class VpicRecord:
    """vPIC's decode of one VIN: our normalised ``attributes`` and the ``raw`` row."""

    vin: str
    attributes: dict[str, Any]
    raw: dict[str, str] = field(repr=False)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], vin: str | None = None) -> VpicRecord:
        """Build a record from one row of ``Results`` (the row's ``VIN`` unless given)."""
        raw = {str(k): "" if v is None else str(v) for k, v in row.items()}
        return cls(vin=(vin or raw.get("VIN", "")).upper(), attributes=normalise_row(raw), raw=raw)

    @property
    def error_codes(self) -> tuple[str, ...]:
        """vPIC's error codes ("0" clean, "1" check digit, "6" incomplete, "7" unknown...)."""
        code = self.raw.get("ErrorCode", "")
        return tuple(part.strip() for part in code.split(",") if part.strip())

    @property
    def clean(self) -> bool:
        """Whether vPIC decoded the VIN without any error (ErrorCode "0")."""
        return self.error_codes == ("0",)

    @property
    def identified(self) -> bool:
        """Whether vPIC named a make: a row for an unknown VIN is mostly empty."""
        return "make" in self.attributes
