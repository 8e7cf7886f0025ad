"""Whether one catalogue rule matches the vehicle's facts: True, False, or None (unknown)."""

from __future__ import annotations

import re
from collections.abc import Callable

from velox_vin_intel.packages.facts import VehicleFacts, drive_code, electrification_code
from velox_vin_intel.packages.schema import EvidenceRule
from velox_vin_intel.packages.sticker import normalize_phrase

__all__ = ["PARTIAL_FACTOR", "FactMatch", "match_fact"]

# A value found inside a longer trim or series ("XLE" in "XLE Premium") weighs less than an
# equal one, so the longer, exact trim wins.
PARTIAL_FACTOR = 0.8

# (matched, value shown, weight factor); matched None when the fact is unknown.
FactMatch = tuple[bool | None, str, float]
_UNKNOWN: FactMatch = (None, "", 1.0)


def _compact(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def _words(rule: EvidenceRule, fact: str | None) -> FactMatch:
    """Equal after normalising (full weight), or contained as whole words (partial)."""
    if not fact:
        return _UNKNOWN
    have = normalize_phrase(fact)
    best: FactMatch = (False, fact, 1.0)
    for value in rule.values:
        want = normalize_phrase(value)
        if want == have:
            return (True, fact, 1.0)
        if want and f" {want} " in f" {have} ":
            best = (True, fact, PARTIAL_FACTOR)
    return best


def _trim(rule: EvidenceRule, facts: VehicleFacts, identified: str | None) -> FactMatch:
    if identified:
        wanted = {normalize_phrase(v) for v in rule.values}
        if normalize_phrase(identified) in wanted:
            return (True, identified, 1.0)
    found = _words(rule, facts.trim)
    if found[0] is None and identified:
        return (False, identified, 1.0)
    return found


def _engine(rule: EvidenceRule, facts: VehicleFacts) -> FactMatch:
    if not facts.engine_model:
        return _UNKNOWN
    have = _compact(facts.engine_model)
    ok = any(have.startswith(_compact(v)) for v in rule.values if _compact(v))
    return (ok, facts.engine_model, 1.0)


def _displacement(rule: EvidenceRule, facts: VehicleFacts) -> FactMatch:
    if facts.displacement_l is None:
        return _UNKNOWN
    have = round(facts.displacement_l, 1)
    return (any(round(float(v), 1) == have for v in rule.values), f"{have:.1f}", 1.0)


def _cylinders(rule: EvidenceRule, facts: VehicleFacts) -> FactMatch:
    if facts.engine_cylinders is None:
        return _UNKNOWN
    have = facts.engine_cylinders
    return (any(int(v) == have for v in rule.values), str(have), 1.0)


def _drive(rule: EvidenceRule, facts: VehicleFacts) -> FactMatch:
    have = drive_code(facts.drive)
    if have is None:
        return _UNKNOWN
    # A 4x2 truck is front- or rear-driven; "2WD" in a rule means either.
    accepted = {have, "2WD"} if have in {"FWD", "RWD"} else {have}
    if have == "2WD":
        accepted = {"2WD", "FWD", "RWD"}
    return (bool(accepted & set(rule.values)), have, 1.0)


def _fuel(rule: EvidenceRule, facts: VehicleFacts) -> FactMatch:
    if not facts.fuel:
        return _UNKNOWN
    have = facts.fuel.casefold()
    return (any(v.casefold() in have for v in rule.values), facts.fuel, 1.0)


def _electrification(rule: EvidenceRule, facts: VehicleFacts) -> FactMatch:
    have = electrification_code(facts.electrification)
    if have is None:
        return _UNKNOWN
    return (have in rule.values, have, 1.0)


def _vin(rule: EvidenceRule, facts: VehicleFacts) -> FactMatch:
    vin = facts.vin.upper()
    for pattern in rule.values:
        if re.match(pattern, vin):
            return (True, pattern, 1.0)
    return (False, vin, 1.0)


def _year(rule: EvidenceRule, facts: VehicleFacts) -> FactMatch:
    if facts.model_year is None or rule.years is None:
        return _UNKNOWN
    start, end = rule.years
    return (start <= facts.model_year <= end, str(facts.model_year), 1.0)


_SIMPLE: dict[str, Callable[[EvidenceRule, VehicleFacts], FactMatch]] = {
    "model": lambda r, f: _words(r, f.model),
    "series": lambda r, f: _words(r, f.series),
    "body": lambda r, f: _words(r, f.body_class),
    "engine": _engine,
    "displacement": _displacement,
    "cylinders": _cylinders,
    "drive": _drive,
    "fuel": _fuel,
    "electrification": _electrification,
    "vin_pattern": _vin,
    "model_year": _year,
}


def match_fact(rule: EvidenceRule, facts: VehicleFacts, identified_trim: str | None) -> FactMatch:
    """Match a rule over decode facts (and, for ``trim`` rules, the trim identified first)."""
    if rule.kind == "trim":
        return _trim(rule, facts, identified_trim)
    check = _SIMPLE.get(rule.kind)
    return check(rule, facts) if check else _UNKNOWN
