"""Option codes and package names read from sticker and build-sheet text."""

from __future__ import annotations

from velox_vin_intel.packages.sticker import Phrase, extract_codes, find_names, normalize_phrase

STICKER = """2021 F-150 XLT SUPERCREW 4X4
EQUIPMENT GROUP 302A  XLT HIGH  $4,795
FX4 OFF-ROAD PACKAGE (55A)   $1,095
337 M SPORT PACKAGE $3,300
SPRAY-IN BEDLINER (86S)
ASSEMBLED IN USA 2021 MODEL 5.0L V8 395 HP
TWIN PANEL MOONROOF (17S) DELETE
"""


def test_codes_in_parentheses_and_leading_a_description_are_found() -> None:
    scan = extract_codes(STICKER, known={"55A", "302A", "337", "17S"})
    assert set(scan.found) == {"55A", "302A", "337"}
    assert scan.found["55A"].startswith("FX4 OFF-ROAD PACKAGE")


def test_a_negated_line_excludes_its_code() -> None:
    scan = extract_codes(STICKER, known={"17S"})
    assert scan.negated == {"17S": "TWIN PANEL MOONROOF (17S) DELETE"}
    assert "17S" not in scan.found


def test_unknown_code_like_tokens_are_reported_but_prose_numbers_are_not() -> None:
    scan = extract_codes(STICKER, known={"55A"})
    assert "86S" in scan.unknown
    assert not {"2021", "395", "USA", "5", "HP"} & set(scan.unknown)


def test_pure_numeric_known_codes_count_only_in_a_code_position() -> None:
    text = "TOTAL 337 MILES ON DELIVERY\nHARMAN KARDON (688)"
    scan = extract_codes(text, known={"337", "688"})
    assert set(scan.found) == {"688"}


def test_a_code_list_line_yields_every_code() -> None:
    scan = extract_codes("RPO CODES: Z71 NHT L84 1LT\nNOTES: NONE", known={"Z71", "NHT"})
    assert set(scan.found) == {"Z71", "NHT"}
    assert scan.unknown == ["L84", "1LT"]


def test_names_match_without_regard_to_case_punctuation_or_abbreviations() -> None:
    assert normalize_phrase("FX4 Off-Road Pkg.") == "FX4 OFF ROAD PACKAGE"
    phrases = [Phrase("55A", "FX4 Off-Road Package", needs_model=False)]
    hits = find_names("fx4  offroad  PKG   $1,095", phrases, models=["F-150"])
    assert [(h.key, h.ratio) for h in hits] == [("55A", 1.0)]


def test_an_ocr_slip_matches_fuzzily_but_another_number_does_not() -> None:
    phrases = [
        Phrase("337", "M Sport Package", needs_model=False),
        Phrase("300A", "Equipment Group 300A", needs_model=False),
    ]
    hits = find_names("M SP0RT PACKAGE $3,300\nEQUIPMENT GROUP 302A", phrases, models=[])
    assert [h.key for h in hits] == ["337"]
    assert 0.9 <= hits[0].ratio < 1


def test_trim_names_need_the_model_on_their_line() -> None:
    phrases = [Phrase("Limited", "Limited", needs_model=True, group="trim")]
    assert find_names("LIMITED WARRANTY 3 YEARS", phrases, models=["Highlander"]) == []
    hits = find_names("2021 HIGHLANDER LIMITED AWD", phrases, models=["Highlander"])
    assert [h.key for h in hits] == ["Limited"]


def test_the_longest_name_of_a_group_wins_but_other_groups_still_match() -> None:
    phrases = [
        Phrase("XLE", "XLE", needs_model=True, group="trim"),
        Phrase("XLE Premium", "XLE Premium", needs_model=True, group="trim"),
        Phrase("Premium Package", "Premium", needs_model=False, group="package"),
    ]
    hits = find_names("RAV4 XLE PREMIUM", phrases, models=["RAV4"])
    assert sorted(h.key for h in hits) == ["Premium Package", "XLE Premium"]


def test_a_negated_mention_is_flagged() -> None:
    phrases = [Phrase("337", "M Sport Package", needs_model=False)]
    hits = find_names("M SPORT PACKAGE - NOT SELECTED", phrases, models=[])
    assert len(hits) == 1 and hits[0].negated
