"""Package identification: VIN facts plus option codes and sticker text -> trim and packages.

Example::

    catalog = CatalogStore().get()
    text = extract_document(pdf_bytes, "application/pdf")
    report = identify(VehicleFacts.from_decode(decode), option_codes=["55A"], text=text,
                      catalog=catalog)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from velox_vin_intel.packages.catalog import PackageCatalog
from velox_vin_intel.packages.documents import extract_text
from velox_vin_intel.packages.engine import Context, Outcome, evaluate, to_match
from velox_vin_intel.packages.facts import VehicleFacts
from velox_vin_intel.packages.report import PackageReport
from velox_vin_intel.packages.schema import ModelEntry, OemCatalog, normalize_code
from velox_vin_intel.packages.sticker import (
    NameHit,
    Phrase,
    extract_codes,
    find_names,
    normalize_phrase,
)

__all__ = ["extract_document", "identify"]

_GIVEN_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,7}$")
_MAX_TEXT = 200_000


def extract_document(data: bytes, content_type_hint: str | None) -> str:
    """The text of a sticker or build sheet (text, PDF or PNG/JPEG through OCR)."""
    return extract_text(data, content_type_hint)


def _given_codes(option_codes: Sequence[str], notes: list[str]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for raw in option_codes:
        code = normalize_code(raw)
        if _GIVEN_CODE.match(code):
            codes.setdefault(code, "given")
        elif code:
            notes.append(f"option code {raw!r} is not 1-8 letters, digits or dashes; ignored")
    return codes


def _phrases(model: ModelEntry) -> list[Phrase]:
    return [
        Phrase(entry.key, name, entry.needs_model_in_text, entry.kind)
        for entry in model.entries
        for name in entry.names
    ]


def _scan_text(
    text: str, model: ModelEntry, catalog: PackageCatalog, codes: dict[str, str], notes: list[str]
) -> tuple[dict[str, list[NameHit]], list[str]]:
    """Codes and names of ``text`` into ``codes``; mentions by entry key; unknown codes."""
    if len(text) > _MAX_TEXT:
        notes.append(f"only the first {_MAX_TEXT} characters of the text were read")
        text = text[:_MAX_TEXT]
    known = {c for e in model.entries for c in e.codes}
    known |= {
        v.upper()
        for e in model.entries
        for r in e.evidence
        if r.kind == "option_code"
        for v in r.values
    }
    scan = extract_codes(text, known)
    for code, line in scan.found.items():
        codes.setdefault(code, line)
    for code, line in scan.negated.items():
        if code not in codes:
            notes.append(f"option code {code} appears on a line that excludes it: {line!r}")
    models = (model.model, *model.aliases)
    hits: dict[str, list[NameHit]] = {}
    for hit in find_names(text, _phrases(model), models, catalog.defaults.fuzzy_ratio):
        hits.setdefault(hit.key, []).append(hit)
    return hits, scan.unknown


def _best_trim(outcomes: list[Outcome], threshold: float) -> Outcome | None:
    trims = [o for o in outcomes if o.confidence >= threshold]
    return max(trims, key=lambda o: (o.confidence, len(o.matched)), default=None)


def _unmatched(codes: dict[str, str], unknown: list[str], model: ModelEntry) -> list[str]:
    """Codes no entry claims; a text token that is part of a name ("FX4 ...") is no code."""
    words = {w for e in model.entries for n in e.names for w in normalize_phrase(n).split()}
    unknown = [c for c in unknown if c not in words]
    claimed = {c for e in model.entries for c in e.codes}
    claimed |= {
        v.upper()
        for e in model.entries
        for r in e.evidence
        if r.kind == "option_code"
        for v in r.values
    }
    listed = [c for c in codes if c not in claimed] + [c for c in unknown if c not in claimed]
    return list(dict.fromkeys(listed))


def _vetoed_notes(outcomes: list[Outcome]) -> list[str]:
    """Why entries the evidence pointed at were left out."""
    return [v for o in outcomes if o.direct for v in o.vetoes]


def _locate(
    facts: VehicleFacts, catalog: PackageCatalog, report: PackageReport
) -> tuple[OemCatalog, ModelEntry] | None:
    oem = catalog.for_make(facts.make)
    if oem is None:
        report.notes.append(f"no package catalogue covers make {facts.make or '(unknown)'}")
        return None
    report.oem, report.catalog_version = oem.oem, oem.version
    model = catalog.find_model(oem, facts.model, facts.model_year, facts.make)
    if model is None:
        report.notes.append(f"the {oem.oem} catalogue has no model {facts.model or '(unknown)'}")
        return None
    report.model = model.model
    year = facts.model_year
    if year is None:
        report.notes.append("model year unknown: year ranges were not checked")
    elif not model.years[0] <= year <= model.years[1]:
        report.notes.append(
            f"{model.model} is catalogued for {model.years[0]}-{model.years[1]}, not {year}"
        )
    return oem, model


def _score(model: ModelEntry, ctx: Context, cut: float, report: PackageReport) -> None:
    """Trims first (the best one above ``cut``), then packages knowing that trim."""
    trims = [evaluate(e, model, ctx) for e in model.entries if e.kind == "trim"]
    best = _best_trim(trims, cut)
    ctx = replace(ctx, trim=best.entry.name if best else None)
    others = [evaluate(e, model, ctx) for e in model.entries if e.kind != "trim"]
    report.trim = to_match(best, ctx.templates) if best else None
    found = [to_match(o, ctx.templates) for o in others if o.confidence >= cut]
    report.packages = sorted(found, key=lambda p: (-p.confidence, p.name))
    report.notes.extend(_vetoed_notes(trims + others))


def identify(
    facts: VehicleFacts,
    *,
    option_codes: Sequence[str] = (),
    text: str | None = None,
    catalog: PackageCatalog,
    threshold: float | None = None,
) -> PackageReport:
    """Identify the trim and packages of one vehicle; pure and synchronous."""
    cut = catalog.defaults.threshold if threshold is None else threshold
    report = PackageReport(
        vin=facts.vin, make=facts.make, model_year=facts.model_year, threshold=cut
    )
    codes = _given_codes(option_codes, report.notes)
    located = _locate(facts, catalog, report)
    if located is None:
        report.unmatched_codes = list(codes)
        return report
    oem, model = located
    hits, unknown = _scan_text(text, model, catalog, codes, report.notes) if text else ({}, [])
    weights = catalog.defaults.weights | oem.weights
    ctx = Context(facts, codes, hits, weights, catalog.defaults.templates)
    _score(model, ctx, cut, report)
    report.unmatched_codes = _unmatched(codes, unknown, model)
    return report
