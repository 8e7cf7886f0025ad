"""Scoring one catalogue entry: the evidence that matched, vetoes, confidence, explanation.

Confidence is a noisy-OR of the matched evidence, ``1 - prod(1 - weight)``: independent
clues reinforce each other, no single clue short of certainty reaches 1, and adding a clue
never lowers it. Per kind, option codes and text mentions count once (the strongest).
A ``required`` rule whose fact is known and differs vetoes the entry (when it matches it
adds weight only if it names one), and so does an entry
outside its model years or a mention the text negates ("PREMIUM PACKAGE - DELETED").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from velox_vin_intel.packages.evidence import match_fact
from velox_vin_intel.packages.facts import VehicleFacts
from velox_vin_intel.packages.report import EvidenceMatch, PackageMatch
from velox_vin_intel.packages.schema import (
    CatalogEntry,
    EvidenceKind,
    EvidenceRule,
    ModelEntry,
    Templates,
)
from velox_vin_intel.packages.sticker import NameHit

__all__ = ["Context", "Outcome", "evaluate", "explain", "to_match", "years_text"]


@dataclass(frozen=True)
class Context:
    """What every entry of one model is scored against."""

    facts: VehicleFacts
    codes: Mapping[str, str]  # code -> where it came from ("given" or the sticker line)
    names: Mapping[str, list[NameHit]]  # entry key -> mentions in the text
    weights: Mapping[EvidenceKind, float]
    templates: Templates
    trim: str | None = None  # the trim identified in the first pass


@dataclass
class Outcome:
    """An entry's score; ``vetoes`` say why it is excluded whatever its confidence."""

    entry: CatalogEntry
    years: tuple[int, int]
    matched: list[EvidenceMatch] = field(default_factory=list)
    vetoes: list[str] = field(default_factory=list)
    negated: bool = False

    @property
    def direct(self) -> bool:
        """Whether a code or the text points at the entry (worth a note when vetoed)."""
        return self.negated or any(m.kind in ("option_code", "name") for m in self.matched)

    @property
    def confidence(self) -> float:
        """``1 - prod(1 - w)`` over matched evidence, 0 when vetoed."""
        if self.vetoes:
            return 0.0
        return round(1 - math.prod(1 - m.weight for m in self.matched), 3)


def years_text(years: tuple[int, int]) -> str:
    """ "2019-2023", or "2021" for a single year."""
    return str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"


def _weight(rule: EvidenceRule, ctx: Context) -> float:
    return rule.weight if rule.weight is not None else ctx.weights[rule.kind]


def _codes(entry: CatalogEntry, ctx: Context) -> EvidenceMatch | None:
    best: EvidenceMatch | None = None
    candidates = [(c, ctx.weights["option_code"]) for c in entry.codes]
    for rule in entry.evidence:
        if rule.kind == "option_code":
            candidates.extend((v.upper(), _weight(rule, ctx)) for v in rule.values)
    for code, weight in candidates:
        if code in ctx.codes and (best is None or weight > best.weight):
            best = EvidenceMatch(kind="option_code", value=code, weight=weight)
    return best


def _names(entry: CatalogEntry, ctx: Context) -> tuple[EvidenceMatch | None, list[NameHit]]:
    """The strongest positive mention, and the negated ones."""
    hits = ctx.names.get(entry.key, [])
    negated = [h for h in hits if h.negated]
    best: EvidenceMatch | None = None
    for hit in hits:
        if hit.negated:
            continue
        weight = round(ctx.weights["name"] * hit.ratio, 3)
        shown = hit.phrase if hit.ratio == 1 else f"{hit.phrase} (read as {hit.line!r})"
        if best is None or weight > best.weight:
            best = EvidenceMatch(kind="name", value=shown, weight=weight)
    return best, negated


def _applies(rule: EvidenceRule, year: int | None) -> bool:
    """Whether a rule limited to some model years speaks about ``year``."""
    if rule.kind == "model_year" or rule.years is None or year is None:
        return True
    return rule.years[0] <= year <= rule.years[1]


def _rules(entry: CatalogEntry, ctx: Context, out: Outcome) -> None:
    year = ctx.facts.model_year
    for rule in entry.evidence:
        if rule.kind in ("option_code", "name"):
            continue
        if not _applies(rule, year):
            continue  # evidence for other model years says nothing about this one
        matched, shown, factor = match_fact(rule, ctx.facts, ctx.trim)
        if matched and rule.required and rule.weight is None:
            continue  # a bare required rule is a gate, not a clue
        if matched:
            weight = round(_weight(rule, ctx) * factor, 3)
            out.matched.append(EvidenceMatch(kind=rule.kind, value=shown, weight=weight))
        elif matched is False and rule.required:
            phrase = ctx.templates.evidence[rule.kind].format(value=shown)
            out.vetoes.append(
                ctx.templates.contradiction.format(
                    evidence=phrase, name=entry.name, wanted=" or ".join(rule.values or ["-"])
                )
            )


def evaluate(entry: CatalogEntry, model: ModelEntry, ctx: Context) -> Outcome:
    """Score ``entry`` of ``model`` against the context."""
    out = Outcome(entry=entry, years=model.entry_years(entry))
    code = _codes(entry, ctx)
    name, negated = _names(entry, ctx)
    out.matched.extend(m for m in (code, name) if m is not None)
    year = ctx.facts.model_year
    if year is not None and not out.years[0] <= year <= out.years[1]:
        out.vetoes.append(
            ctx.templates.out_of_years.format(
                name=entry.name, years=years_text(out.years), year=year
            )
        )
        return out
    if negated and name is None:
        out.negated = True
        out.vetoes.append(ctx.templates.negated.format(name=entry.name, line=negated[0].line))
    _rules(entry, ctx, out)
    return out


def explain(out: Outcome, templates: Templates) -> str:
    """The sentence naming the evidence, e.g. "option code 55A matches the FX4 ..."."""
    phrases = [templates.evidence[m.kind].format(value=m.value) for m in out.matched]
    if len(phrases) > 1:
        joined = ", ".join(phrases[:-1]) + " and " + phrases[-1]
    else:
        joined = phrases[0] if phrases else "no evidence"
    sentence = templates.sentence.format(
        evidence=joined,
        verb="matches" if len(phrases) == 1 else "match",
        name=out.entry.name,
        kind=out.entry.kind,
        years=years_text(out.years),
    )
    return sentence[:1].upper() + sentence[1:]


def to_match(out: Outcome, templates: Templates) -> PackageMatch:
    """The report's view of a scored entry."""
    return PackageMatch(
        code=out.entry.code,
        name=out.entry.name,
        kind=out.entry.kind,
        confidence=out.confidence,
        explanation=explain(out, templates),
        years=out.years,
        evidence=sorted(out.matched, key=lambda m: -m.weight),
    )
