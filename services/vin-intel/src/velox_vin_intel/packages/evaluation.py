"""Scoring package identification against a labelled evaluation set (precision and recall).

Each case gives facts as the VIN decode would, optional option codes and sticker text, and
the expected trim and packages by catalogue key (the code, else the name). The identified
trim and every identified package are items; a case's true positives are the items both
expected and identified. Scores are micro-averaged per OEM and overall, so a case with no
expected items still counts its false positives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from velox_vin_intel.packages.catalog import PackageCatalog
from velox_vin_intel.packages.facts import VehicleFacts
from velox_vin_intel.packages.service import identify

__all__ = [
    "CaseResult",
    "EvalCase",
    "EvalReport",
    "EvalSet",
    "Score",
    "evaluate",
    "label_errors",
    "load_eval_set",
]


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trim: str | None = None
    packages: list[str] = Field(default_factory=list)


class EvalCase(BaseModel):
    """One labelled vehicle."""

    model_config = ConfigDict(extra="forbid")

    id: str
    oem: str
    note: str = ""
    facts: dict[str, Any]
    option_codes: list[str] = Field(default_factory=list)
    text: str | None = None
    expected: Expected

    def vehicle(self) -> VehicleFacts:
        """The case's facts as the engine's input."""
        return VehicleFacts(**self.facts)


class EvalSet(BaseModel):
    """A versioned list of labelled cases."""

    version: str
    description: str = ""
    cases: list[EvalCase] = Field(min_length=1)


def load_eval_set(path: Path) -> EvalSet:
    """Read and validate an evaluation set file."""
    return EvalSet.model_validate(json.loads(path.read_text(encoding="utf-8")))


@dataclass
class Score:
    """Counts and the ratios they give (1.0 when there was nothing to get wrong)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Share of identified items that were expected."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of expected items that were identified."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, tp: int, fp: int, fn: int) -> None:
        """Count one case."""
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    def as_dict(self) -> dict[str, float | int]:
        """The counts and ratios, rounded for a report."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
        }


@dataclass
class CaseResult:
    """What one case expected and what the engine identified."""

    id: str
    oem: str
    expected: set[str]
    identified: set[str]

    @property
    def missing(self) -> set[str]:
        """Expected items the engine did not identify."""
        return self.expected - self.identified

    @property
    def extra(self) -> set[str]:
        """Identified items nobody expected."""
        return self.identified - self.expected


@dataclass
class EvalReport:
    """Scores per OEM and overall, with every case's result."""

    per_oem: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)
    cases: list[CaseResult] = field(default_factory=list)


def _expected(case: EvalCase) -> set[str]:
    items = {p.casefold() for p in case.expected.packages}
    if case.expected.trim:
        items.add(f"trim:{case.expected.trim.casefold()}")
    return items


def evaluate(eval_set: EvalSet, catalog: PackageCatalog) -> EvalReport:
    """Run every case through :func:`identify` and score it."""
    report = EvalReport()
    for case in eval_set.cases:
        result = identify(
            case.vehicle(), option_codes=case.option_codes, text=case.text, catalog=catalog
        )
        found = {(p.code or p.name).casefold() for p in result.packages}
        if result.trim is not None:
            found.add(f"trim:{(result.trim.code or result.trim.name).casefold()}")
        outcome = CaseResult(case.id, case.oem, _expected(case), found)
        tp = len(outcome.expected & found)
        counts = (tp, len(outcome.extra), len(outcome.missing))
        report.per_oem.setdefault(case.oem, Score()).add(*counts)
        report.overall.add(*counts)
        report.cases.append(outcome)
    return report


def label_errors(eval_set: EvalSet, catalog: PackageCatalog) -> list[str]:
    """Labels that name no entry of the case's catalogue model (typos would skew recall)."""
    errors = []
    for case in eval_set.cases:
        facts = case.vehicle()
        oem = catalog.for_make(facts.make)
        model = None
        if oem is not None:
            model = catalog.find_model(oem, facts.model, facts.model_year, facts.make)
        if oem is None or model is None or oem.oem != case.oem:
            errors.append(f"{case.id}: no {case.oem} catalogue model for {facts.model}")
            continue
        keys = {e.key.casefold(): e.kind for e in model.entries}
        labels = [(p, False) for p in case.expected.packages]
        labels += [(case.expected.trim, True)] if case.expected.trim else []
        for label, is_trim in labels:
            kind = keys.get(label.casefold())
            if kind is None or (kind == "trim") != is_trim:
                errors.append(f"{case.id}: {label!r} is not a {'trim' if is_trim else 'package'}")
    return errors
