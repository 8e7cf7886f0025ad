"""Offline decoding: validation, check digit, model year, WMI and the vPIC snapshot.

Example::

    decoder = Decoder(Snapshot())
    decoder.decode("5FNYF5H59HB011946").model   # 'Pilot'
"""

from __future__ import annotations

from typing import Any

from velox_vin_intel.decoding.rules import (
    ALPHABET,
    YEAR_CODES,
    alphabet_errors,
    check_digit,
    model_years,
)
from velox_vin_intel.decoding.schemas import CheckDigit, Issue, VinDecode
from velox_vin_intel.decoding.snapshot import Snapshot, WmiInfo
from vininfo.dicts import COUNTRIES, REGIONS, WMI

__all__ = ["Decoder", "InvalidVin", "normalise"]

VIN_LENGTH = 17
_FUEL_BY_ELECTRIFICATION = {
    "BEV (Battery Electric Vehicle)": "Electric",
    "FCEV (Fuel Cell Electric Vehicle)": "Hydrogen",
}


_REGION = {char: region for chars, region in REGIONS.items() for char in chars}


class InvalidVin(ValueError):
    """Not 17 characters of the VIN alphabet: nothing to decode (a 422 at the API)."""

    def __init__(self, vin: str, detail: str, positions: list[int] | None = None) -> None:
        super().__init__(detail)
        self.vin = vin
        self.detail = detail
        self.positions = positions or []


def normalise(raw: str) -> str:
    """Trim, drop inner spaces and dashes people type, and upper-case; then check the shape."""
    if len(raw) == VIN_LENGTH and ALPHABET.issuperset(raw):
        return raw  # the common case, already clean
    vin = "".join(raw.split()).replace("-", "").upper()
    if len(vin) != VIN_LENGTH:
        raise InvalidVin(raw, f"A VIN has 17 characters; this one has {len(vin)}.")
    bad = alphabet_errors(vin)
    if bad:
        where = ", ".join(f"{c!r} at position {i}" for i, c in bad)
        raise InvalidVin(
            raw,
            f"A VIN uses the digits and the letters A-Z except I, O and Q; found {where}.",
            [i for i, _ in bad],
        )
    return vin


def _maker(vin: str) -> str | None:
    """The brand ISO 3780 / vininfo knows for the WMI (three or two characters)."""
    brand = WMI.get(vin[:3]) or WMI.get(vin[:2])
    if brand is None:
        return None
    return str(getattr(brand, "title", brand))


class Decoder:
    """Decodes one VIN at a time, in memory; cheap to call from any thread."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def decode(self, raw: str) -> VinDecode:
        """The offline decode of a VIN; raises :class:`InvalidVin` for a malformed one."""
        vin = normalise(raw)
        issues: list[Issue] = []
        expected = check_digit(vin)
        digit_ok = vin[8] == expected
        if not digit_ok:
            issues.append(_check_digit_issue(vin, expected))
        wmi = self.snapshot.wmi(vin)
        maker = wmi.make if wmi else _maker(vin)
        if wmi is None and maker is None:
            issues.append(
                Issue(
                    code="unknown_wmi",
                    detail=f"No manufacturer is registered for the WMI {vin[:3]!r}.",
                    position=1,
                )
            )
        years = model_years(vin, light_vehicle=wmi is None or wmi.light_vehicle)
        if not years:
            issues.append(_year_issue(vin))
        found = self._attributes(wmi, vin, years) if wmi and digit_ok else ({}, None)
        return _assemble(vin, issues, expected, wmi, maker, found, years)

    def _attributes(
        self, wmi: WmiInfo, vin: str, years: tuple[int, ...]
    ) -> tuple[dict[str, str], int | None]:
        for year in years:
            found = self.snapshot.match(wmi.code, vin, year)
            if found:
                return found, year
        return {}, None


def _check_digit_issue(vin: str, expected: str) -> Issue:
    return Issue(
        code="check_digit",
        detail=(
            f"Position 9 holds {vin[8]!r} but the other characters call for {expected!r}: "
            "a character is probably mistyped, and a mistyped VIN would decode as another "
            "vehicle, so its model attributes are not given."
        ),
        position=9,
    )


def _year_issue(vin: str) -> Issue:
    return Issue(
        code="model_year_character",
        detail=(
            f"Position 10 holds {vin[9]!r}, which no model year uses "
            f"(valid: {''.join(YEAR_CODES)})."
        ),
        position=10,
    )


def _assemble(
    vin: str,
    issues: list[Issue],
    expected: str,
    wmi: WmiInfo | None,
    maker: str | None,
    found: tuple[dict[str, str], int | None],
    years: tuple[int, ...],
) -> VinDecode:
    values, matched_year = found
    small_maker = vin[2] == "9"
    attributes: dict[str, Any] = {
        "wmi_country": wmi.country if wmi else None,
        "truck_type": wmi.truck_type if wmi else None,
        "electrification_level": values.get("electrification_level"),
        "fuel_type": _FUEL_BY_ELECTRIFICATION.get(values.get("electrification_level", "")),
        "model_year_candidates": list(years),
        "source": "offline",
    }
    return VinDecode(
        vin=vin,
        valid=not issues,
        issues=issues,
        check_digit=CheckDigit(valid=vin[8] == expected, expected=expected, actual=vin[8]),
        wmi=vin[:3] + (vin[11:14] if small_maker else ""),
        vds=vin[3:9],
        vis=vin[9:],
        make=values.get("make") or maker,
        manufacturer=values.get("manufacturer") or (wmi.manufacturer if wmi else None),
        model=values.get("model"),
        model_year=matched_year or (years[0] if years else None),
        series=values.get("series"),
        trim=values.get("trim"),
        body_class=values.get("body_class"),
        vehicle_type=wmi.vehicle_type if wmi else None,
        country=COUNTRIES.get(vin[:2]),
        region=_REGION.get(vin[0]),
        plant_code=vin[10],
        serial=vin[14:] if small_maker else vin[11:],
        attributes={k: v for k, v in attributes.items() if v not in (None, [])},
        enrichment="offline",
    )
