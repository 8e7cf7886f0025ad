"""Option codes and package names in window-sticker and build-sheet text (pattern matching).

Codes are taken where stickers and build sheets put them: in parentheses after a
description ("FX4 OFF-ROAD PACKAGE (55A)"), at the start of a line before one
("337 M SPORT PACKAGE $3,300"), or in a code list ("RPO: Z71 NHT KC4"). A catalogue code
with letters and digits also counts anywhere as a whole token. Names and aliases match
case-, punctuation- and whitespace-insensitively on whole words, with difflib as a fallback
for OCR slips on package lines. A line that says an item is not included ("DELETE",
"NOT INCLUDED", "DECLINED", ...) negates what it names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

__all__ = ["CodeScan", "NameHit", "Phrase", "extract_codes", "find_names", "normalize_phrase"]

_TOKEN_FIXES = {"PKG": "PACKAGE", "PKGS": "PACKAGE", "PACKAGES": "PACKAGE", "OFFROAD": "OFF ROAD"}
_NEGATIONS = re.compile(
    r"\b(NOT\s+(INCLUDED|EQUIPPED|SELECTED|AVAILABLE)|DELETE[D]?|DECLINED|WITHOUT|REMOVED|"
    r"N/A|NO\s+CHARGE\s+DELETE)\b"
)
_PAREN_CODE = re.compile(r"\(([A-Z0-9]{2,5})\)")
_LEAD_CODE = re.compile(r"^\s*([A-Z0-9]{2,5})\s*[-:]?\s+(?=[A-Z][A-Z&/ -]{3,})")
_LIST_LINE = re.compile(
    r"^\s*(RPO(\s+CODES?)?|OPTION\s+CODES?|OPTIONS|SA\s+CODES?|CODES|FACTORY\s+OPTIONS)\s*[:#-]\s*"
)
_TOKEN = re.compile(r"[A-Z0-9]+")
_YEARLIKE = re.compile(r"^(19|20)\d\d$")
_PACKAGE_WORDS = ("PACKAGE", "PACK", "GROUP", "LINE", "EDITION")


def normalize_phrase(text: str) -> str:
    """Upper case, punctuation to spaces, common abbreviations spelled out."""
    tokens = re.sub(r"[^A-Z0-9]+", " ", text.upper()).split()
    return " ".join(_TOKEN_FIXES.get(t, t) for t in tokens)


def _lines(text: str) -> list[tuple[str, bool]]:
    """Non-empty upper-case lines and whether each one negates what it names."""
    out = []
    for raw in text.upper().splitlines():
        line = raw.strip()
        if line:
            out.append((line, bool(_NEGATIONS.search(line))))
    return out


@dataclass
class CodeScan:
    """Codes found in text: catalogue codes, negated ones, and code-like tokens not known."""

    found: dict[str, str] = field(default_factory=dict)
    negated: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def _structured_codes(line: str) -> list[str]:
    """Tokens in a code position: parenthesised, leading a description, or in a code list."""
    listed = _LIST_LINE.match(line)
    if listed:
        return [t for t in _TOKEN.findall(line[listed.end() :]) if 2 <= len(t) <= 5]
    codes = _PAREN_CODE.findall(line)
    lead = _LEAD_CODE.match(line)
    if lead:
        codes.insert(0, lead.group(1))
    return codes


def _looks_like_code(token: str) -> bool:
    """A plausible OEM code nobody catalogued: 3-4 characters with a digit, not a year."""
    return (
        3 <= len(token) <= 4
        and any(c.isdigit() for c in token)
        and not _YEARLIKE.match(token)
        and not token.isdigit()
    ) or (len(token) == 3 and token.isdigit())


def extract_codes(text: str, known: Collection[str]) -> CodeScan:
    """Option codes of ``text``: ``known`` ones (found or negated) and unknown code-like ones."""
    scan = CodeScan()
    known_set = set(known)
    for line, negated in _lines(text):
        structured = _structured_codes(line)
        anywhere = [
            t
            for t in _TOKEN.findall(line)
            if t in known_set and not t.isdigit() and not t.isalpha()
        ]
        for token in dict.fromkeys([*structured, *anywhere]):
            target = scan.negated if negated else scan.found
            if token in known_set:
                target.setdefault(token, line)
            elif not negated and token in structured and _looks_like_code(token):
                scan.unknown.append(token)
    scan.unknown = list(dict.fromkeys(scan.unknown))
    return scan


@dataclass(frozen=True)
class Phrase:
    """A name to look for: the entry it points at and whether it needs the model on its line."""

    key: str
    text: str
    needs_model: bool
    group: str = ""  # a name inside a longer one of the same group is not a match


@dataclass(frozen=True)
class NameHit:
    """A phrase seen in the text; ``ratio`` is 1.0 for an exact match, less for a fuzzy one."""

    key: str
    phrase: str
    line: str
    ratio: float
    negated: bool


def _exact_spans(line: str, phrase: str) -> list[tuple[int, int]]:
    padded, needle = f" {line} ", f" {phrase} "
    spans, start = [], padded.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle) - 2))
        start = padded.find(needle, start + 1)
    return spans


_OCR_DIGITS = str.maketrans("0158", "OISB")


def _digits(text: str) -> str:
    """The digits that carry meaning: a mostly-letter word's digits are OCR slips ("SP0RT")."""
    kept = []
    for word in text.split():
        letters = sum(c.isalpha() for c in word)
        kept.append(word.translate(_OCR_DIGITS) if letters > len(word) - letters else word)
    return "".join(c for c in " ".join(kept) if c.isdigit())


def _fuzzy(line: str, phrase: str, min_ratio: float, exact: set[str]) -> float:
    """The best difflib ratio of ``phrase`` against same-length word windows of a package line.

    OCR slips letters ("M SP0RT"); a window with other digits ("302A" for "300A") or one
    that is exactly another catalogue name is a different item, not a slip.
    """
    if len(phrase) < 10 or not any(w in line for w in _PACKAGE_WORDS):
        return 0.0
    words, size = line.split(), len(phrase.split())
    best = 0.0
    for i in range(max(1, len(words) - size + 1)):
        window = " ".join(words[i : i + size])
        if window in exact or _digits(window) != _digits(phrase):
            continue
        ratio = difflib.SequenceMatcher(None, phrase, window, autojunk=False).ratio()
        best = max(best, ratio)
    return best if best >= min_ratio else 0.0


def _line_hits(
    line: str, negated: bool, phrases: Sequence[Phrase], models: Sequence[str], ratio: float
) -> list[NameHit]:
    norm = normalize_phrase(line)
    has_model = any(_exact_spans(norm, m) for m in models)
    spans: list[tuple[int, int, str, NameHit]] = []
    fuzzy: list[NameHit] = []
    targets = {normalize_phrase(p.text) for p in phrases}
    for p in phrases:
        target = normalize_phrase(p.text)
        if not target or (p.needs_model and not has_model):
            continue
        exact = _exact_spans(norm, target)
        hit = NameHit(p.key, p.text, line, 1.0, negated)
        spans.extend((s, e, p.group, hit) for s, e in exact)
        if not exact and (score := _fuzzy(norm, target, ratio, targets)):
            fuzzy.append(NameHit(p.key, p.text, line, round(score, 3), negated))
    # A name inside a longer one of its group on the line ("XLE" in "XLE PREMIUM") is not a
    # match; across groups it is ("SE" in "SE APEX EDITION" names the trim and the package).
    kept = [
        h
        for s, e, g, h in spans
        if not any(
            g2 == g and s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, g2, _ in spans
        )
    ]
    exact_keys = {h.key for h in kept}
    return kept + [h for h in fuzzy if h.key not in exact_keys]


def find_names(
    text: str, phrases: Sequence[Phrase], models: Sequence[str], min_ratio: float = 0.9
) -> list[NameHit]:
    """Every phrase seen in ``text``, line by line; ``models`` are the model's names."""
    model_norms = [m for m in (normalize_phrase(x) for x in models) if m]
    hits: list[NameHit] = []
    for line, negated in _lines(text):
        hits.extend(_line_hits(line, negated, phrases, model_norms, min_ratio))
    return hits
