"""The package catalogue's file format, validated with pydantic.

A directory holds ``_defaults.json`` (threshold, evidence weights per kind, explanation
templates) and one file per OEM. An OEM file lists models; each model lists its trims,
packages and options (``entries``) with the evidence that points at them. The entry's own
``code``/``option_codes`` and ``name``/``aliases`` are evidence without being listed: an
option code present, or the name seen in sticker or build-sheet text.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "FACT_KINDS",
    "CatalogEntry",
    "Defaults",
    "EntryKind",
    "EvidenceKind",
    "EvidenceRule",
    "ModelEntry",
    "OemCatalog",
    "Templates",
    "YearRange",
    "normalize_code",
]

EvidenceKind = Literal[
    "option_code",
    "name",
    "model",
    "series",
    "trim",
    "engine",
    "displacement",
    "cylinders",
    "drive",
    "fuel",
    "electrification",
    "body",
    "vin_pattern",
    "model_year",
]
EntryKind = Literal["trim", "package", "option"]
# Kinds read from the decode: when the fact is known and differs, a required rule vetoes.
FACT_KINDS: frozenset[str] = frozenset(get_args(EvidenceKind)) - {"option_code", "name"}
_DRIVES = {"AWD", "4WD", "FWD", "RWD", "2WD"}
_ELECTRIC = {"BEV", "PHEV", "FCEV", "MHEV", "HEV"}
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,7}$")


def normalize_code(value: str) -> str:
    """An option code as compared: trimmed and upper case."""
    return value.strip().upper()


def _check_years(value: tuple[int, int]) -> tuple[int, int]:
    start, end = value
    if not 1980 <= start <= end <= 2100:
        raise ValueError(f"year range {start}-{end} is not ordered within 1980-2100")
    return value


YearRange = Annotated[tuple[int, int], AfterValidator(_check_years)]
Weight = Annotated[float, Field(gt=0, lt=1)]


def _check_code(value: str) -> str:
    code = normalize_code(value)
    if not _CODE.match(code):
        raise ValueError(f"option code {value!r} is not 1-8 letters, digits or dashes")
    return code


Code = Annotated[str, AfterValidator(_check_code)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EvidenceRule(_Strict):
    """One piece of evidence: what must match, how much it weighs, when it applies."""

    kind: EvidenceKind
    values: tuple[str, ...] = ()
    weight: Weight | None = None
    required: bool = False
    years: YearRange | None = None

    @model_validator(mode="after")
    def _consistent(self) -> EvidenceRule:
        if self.kind == "model_year":
            if self.years is None or self.values:
                raise ValueError("a model_year rule takes years and no values")
        elif not self.values:
            raise ValueError(f"a {self.kind} rule needs values")
        if self.required and self.kind not in FACT_KINDS:
            raise ValueError(f"a {self.kind} rule cannot be required (absence proves nothing)")
        self._check_values()
        return self

    def _check_values(self) -> None:
        for value in self.values:
            if self.kind == "vin_pattern":
                re.compile(value)
            elif self.kind == "displacement":
                float(value)
            elif self.kind == "cylinders":
                int(value)
            elif self.kind == "drive" and value not in _DRIVES:
                raise ValueError(f"drive {value!r} is not one of {sorted(_DRIVES)}")
            elif self.kind == "electrification" and value not in _ELECTRIC:
                raise ValueError(f"electrification {value!r} is not one of {sorted(_ELECTRIC)}")
            elif self.kind == "option_code":
                _check_code(value)


class CatalogEntry(_Strict):
    """A trim, package or option of one model."""

    code: Code | None = None
    name: str = Field(min_length=1)
    kind: EntryKind
    years: YearRange | None = None
    aliases: tuple[str, ...] = ()
    option_codes: tuple[Code, ...] = ()
    # Names of trims must appear on a line naming the model ("RAV4 XLE"): "Limited" or
    # "Sport" alone is too common in sticker prose. None: that default by kind.
    text_needs_model: bool | None = None
    evidence: tuple[EvidenceRule, ...] = ()

    @property
    def key(self) -> str:
        """The entry's identity in reports and labels: its code, else its name."""
        return self.code or self.name

    @property
    def codes(self) -> tuple[str, ...]:
        """Every option code that names this entry."""
        return ((self.code,) if self.code else ()) + self.option_codes

    @property
    def names(self) -> tuple[str, ...]:
        """The name and its aliases as they may appear in text."""
        return (self.name, *self.aliases)

    @property
    def needs_model_in_text(self) -> bool:
        """Whether a name match counts only on a line that also names the model."""
        return self.kind == "trim" if self.text_needs_model is None else self.text_needs_model


class ModelEntry(_Strict):
    """One model (one generation when ``years`` differ) and its entries."""

    model: str
    make: str | None = None
    aliases: tuple[str, ...] = ()
    years: YearRange
    entries: tuple[CatalogEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ModelEntry:
        seen_codes: set[str] = set()
        seen_keys: set[str] = set()
        for entry in self.entries:
            for code in entry.codes:
                if code in seen_codes:
                    raise ValueError(f"{self.model}: option code {code} names two entries")
                seen_codes.add(code)
            key = entry.key.upper()
            if key in seen_keys:
                raise ValueError(f"{self.model}: {entry.key} is listed twice")
            seen_keys.add(key)
            years = entry.years or self.years
            if years[0] < self.years[0] or years[1] > self.years[1]:
                raise ValueError(f"{self.model}: {entry.key} years lie outside the model's")
        return self

    def entry_years(self, entry: CatalogEntry) -> tuple[int, int]:
        """The years an entry is offered: its own, else the model's."""
        return entry.years or self.years


class OemCatalog(_Strict):
    """One OEM's reviewed catalogue file."""

    oem: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(min_length=1)
    reviewed_by: str = Field(min_length=1)
    reviewed_at: date
    makes: tuple[str, ...] = Field(min_length=1)
    weights: dict[EvidenceKind, Weight] = Field(default_factory=dict)
    models: tuple[ModelEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _makes(self) -> OemCatalog:
        makes = {m.casefold() for m in self.makes}
        for model in self.models:
            if model.make is not None and model.make.casefold() not in makes:
                raise ValueError(f"{model.model}: make {model.make} is not in {self.makes}")
        return self


class Templates(_Strict):
    """Explanation templates: one phrase per evidence kind plus the sentences."""

    evidence: dict[EvidenceKind, str]
    # {evidence} {verb} the {name} in {years} models; verb is "matches" or "match".
    sentence: str
    contradiction: str
    out_of_years: str
    negated: str

    @model_validator(mode="after")
    def _complete(self) -> Templates:
        missing = set(EvidenceKind.__args__) - set(self.evidence)  # type: ignore[attr-defined]
        if missing:
            raise ValueError(f"templates lack evidence kinds {sorted(missing)}")
        return self


class Defaults(_Strict):
    """Settings shared by every OEM file: threshold, weights per kind, templates."""

    version: str = Field(min_length=1)
    threshold: float = Field(gt=0, lt=1)
    fuzzy_ratio: float = Field(0.9, gt=0.5, le=1)
    weights: dict[EvidenceKind, Weight]
    templates: Templates

    @model_validator(mode="after")
    def _complete(self) -> Defaults:
        missing = set(EvidenceKind.__args__) - set(self.weights)  # type: ignore[attr-defined]
        if missing:
            raise ValueError(f"weights lack evidence kinds {sorted(missing)}")
        return self
