"""Identification: confidence, explanations, year ranges, vetoes and facts from a decode."""

from __future__ import annotations

from typing import Any

import pytest
from velox_vin_intel.decoding.schemas import CheckDigit, VinDecode
from velox_vin_intel.packages.catalog import PackageCatalog
from velox_vin_intel.packages.facts import VehicleFacts
from velox_vin_intel.packages.service import identify

F150 = VehicleFacts(vin="1FTFW1E50MFA12345", make="Ford", model="F-150", model_year=2021)


def by_code(report: Any) -> dict[str, Any]:
    return {p.code or p.name: p for p in report.packages}


def test_an_option_code_alone_gives_its_weight_and_says_so(catalog: PackageCatalog) -> None:
    report = identify(F150, option_codes=["55a"], catalog=catalog)
    fx4 = by_code(report)["55A"]
    assert fx4.confidence == 0.95
    assert fx4.explanation == "Option code 55A matches the FX4 Off-Road Package in 2015-2024 models"
    assert report.catalog_version == catalog.oems["ford"].version
    assert report.oem == "ford" and report.model == "F-150"


def test_independent_evidence_combines_by_noisy_or(catalog: PackageCatalog) -> None:
    facts = VehicleFacts(**{**F150.__dict__, "drive": "4WD/4-Wheel Drive/4x4"})
    report = identify(facts, option_codes=["55A"], text="FX4 OFF-ROAD PACKAGE", catalog=catalog)
    fx4 = by_code(report)["55A"]
    assert fx4.confidence == round(1 - 0.05 * 0.1, 3)
    assert [e.kind for e in fx4.evidence] == ["option_code", "name"]
    assert fx4.explanation.startswith('Option code 55A and "FX4 Off-Road Package" in the sticker')


def test_engine_and_drive_name_the_trim_and_its_standard_package(catalog: PackageCatalog) -> None:
    facts = VehicleFacts(
        vin="3MW5U9J07M8B12345",
        make="BMW",
        model="M340i",
        model_year=2021,
        drive="AWD/All-Wheel Drive",
        engine_model="B58B30M1",
    )
    report = identify(facts, catalog=catalog)
    assert report.trim is not None and report.trim.name == "M340i xDrive"
    assert report.trim.explanation == (
        "Model M340i and drive type AWD match the M340i xDrive in 2020-2024 models"
    )
    msport = by_code(report)["337"]
    assert msport.explanation == "Trim M340i xDrive matches the M Sport Package in 2019-2024 models"


def test_weak_evidence_alone_stays_below_the_threshold(catalog: PackageCatalog) -> None:
    """A 5.0 L V8 Mustang is a GT or GT Premium: displacement alone weighs 0.3."""
    facts = VehicleFacts(
        vin="1FA6P8CF0K5123456",
        make="Ford",
        model="Mustang",
        model_year=2019,
        engine_cylinders=8,
        displacement_l=4.951,
    )
    report = identify(facts, catalog=catalog)
    assert report.packages == [] and report.trim is None
    low = identify(facts, catalog=catalog, threshold=0.25)
    assert low.trim is not None and (low.trim.name, low.trim.confidence) == ("GT", 0.3)
    assert low.trim.explanation == "5.0 L displacement matches the GT in 2015-2023 models"


def test_a_package_outside_its_years_does_not_match_and_is_noted(catalog: PackageCatalog) -> None:
    facts = VehicleFacts(
        vin="1G1YB2D40M5112345", make="Chevrolet", model="Corvette", model_year=2021
    )
    report = identify(facts, option_codes=["Z07", "Z51"], catalog=catalog)
    assert set(by_code(report)) == {"Z51"}
    assert any("Z07 Performance Package is catalogued for 2023-2024" in n for n in report.notes)
    assert "Z07" not in report.unmatched_codes


def test_rule_evidence_for_other_years_does_not_count(catalog: PackageCatalog) -> None:
    """Highlander's 2.4L turbo rule covers 2023-2024: the same engine in 2021 says nothing."""
    base: dict[str, Any] = {
        "vin": "5TDKDRAH0PS012345",
        "make": "Toyota",
        "model": "Highlander",
        "engine_model": "T24A-FTS",
    }
    in_range = identify(VehicleFacts(**base, model_year=2023), catalog=catalog)
    assert "2.4L Turbo Engine" in by_code(in_range)
    out_of_range = identify(VehicleFacts(**base, model_year=2021), catalog=catalog)
    assert "2.4L Turbo Engine" not in by_code(out_of_range)


def test_a_known_contradicting_fact_vetoes_even_a_named_package(catalog: PackageCatalog) -> None:
    facts = VehicleFacts(**{**F150.__dict__, "drive": "4x2"})
    report = identify(facts, text="FX4 OFF-ROAD PACKAGE", catalog=catalog)
    assert "55A" not in by_code(report)
    assert "drive type 2WD rules out the FX4 Off-Road Package (it needs 4WD)" in report.notes


def test_a_negated_mention_is_not_counted_and_is_noted(catalog: PackageCatalog) -> None:
    facts = VehicleFacts(vin="3MW5R1J04K8B12345", make="BMW", model="330i", model_year=2019)
    report = identify(facts, text="M SPORT PACKAGE - NOT SELECTED", catalog=catalog)
    assert "337" not in by_code(report)
    assert any("excludes the M Sport Package" in n for n in report.notes)


def test_unknown_codes_are_reported_not_guessed(catalog: PackageCatalog) -> None:
    report = identify(F150, option_codes=["55A", "99Z", "bad code!"], catalog=catalog)
    assert report.unmatched_codes == ["99Z"]
    assert any("'bad code!'" in n for n in report.notes)


def test_trim_names_from_text_need_the_model_on_the_line(catalog: PackageCatalog) -> None:
    facts = VehicleFacts(
        vin="5TDKDRAH0PS012345", make="Toyota", model="Highlander", model_year=2022
    )
    prose = identify(facts, text="LIMITED WARRANTY 36 MONTHS", catalog=catalog)
    assert prose.trim is None
    headline = identify(facts, text="2022 HIGHLANDER LIMITED AWD", catalog=catalog)
    assert headline.trim is not None and headline.trim.name == "Limited"


def test_uncovered_make_model_or_year_is_explained(catalog: PackageCatalog) -> None:
    lada = identify(VehicleFacts(vin="XTA21214000000000", make="Lada"), catalog=catalog)
    assert lada.oem is None and lada.notes == ["no package catalogue covers make Lada"]
    old = identify(
        VehicleFacts(**{**F150.__dict__, "model_year": 2010}), option_codes=["55A"], catalog=catalog
    )
    assert "F-150 is catalogued for 2015-2024, not 2010" in old.notes
    assert old.packages == []


def _decode(**attributes: Any) -> VinDecode:
    return VinDecode(
        vin="5uxcr6c09m9a12345",
        valid=True,
        check_digit=CheckDigit(valid=True, expected="9", actual="9"),
        wmi="5UX",
        vds="CR6C0",
        vis="M9A12345",
        make="BMW",
        model="X5",
        model_year=2021,
        plant_code="9",
        serial="A12345",
        attributes=attributes,
    )


def test_facts_from_a_decode_read_attributes_and_tolerate_bad_types() -> None:
    facts = VehicleFacts.from_decode(
        _decode(
            drive_type="AWD/All-Wheel Drive",
            fuel_type="Gasoline",
            engine_model="B58B30M1",
            engine_cylinders="6",
            displacement_l="2.998",
            electrification_level=None,
        )
    )
    assert facts.vin == "5UXCR6C09M9A12345"
    assert (facts.drive, facts.engine_cylinders, facts.displacement_l) == (
        "AWD/All-Wheel Drive",
        6,
        2.998,
    )
    odd = VehicleFacts.from_decode(
        _decode(engine_cylinders="six", displacement_l=True, drive_type=["AWD"], fuel_type="")
    )
    assert (odd.engine_cylinders, odd.displacement_l, odd.drive, odd.fuel) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("330i xDrive SEDAN", "330i xDrive"), ("330i SEDAN", "330i")],
)
def test_the_longer_designation_wins_in_text(
    catalog: PackageCatalog, text: str, expected: str
) -> None:
    facts = VehicleFacts(vin="3MW5R7J04M8B12345", make="BMW", model="3 Series", model_year=2021)
    report = identify(facts, text=text, catalog=catalog)
    assert report.trim is not None and report.trim.name == expected
