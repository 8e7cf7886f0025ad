"""Offline decoding of known VINs of many makes, and invalid VINs of every kind."""

from __future__ import annotations

import pytest
from velox_vin_intel.decoding.decoder import Decoder, InvalidVin, normalise
from velox_vin_intel.decoding.snapshot import Snapshot, descriptor


@pytest.fixture(scope="module")
def decoder() -> Decoder:
    return Decoder(Snapshot())


KNOWN = [
    # vin, make, model, year, body class (from the vPIC snapshot)
    ("5YJ3E1EA2KF317000", "Tesla", "Model 3", 2019, "Sedan/Saloon"),
    ("1FTEW1EP6JFA12345", "Ford", "F-150", 2018, "Pickup"),
    ("WBA8E9G54GNU12345", "BMW", "328i", 2016, "Sedan/Saloon"),
    ("WDDWF4KB3FR012345", "Mercedes-Benz", "C-Class", 2015, "Sedan/Saloon"),
    ("1N4AL3AP0JC123456", "Nissan", "Altima", 2018, "Sedan/Saloon"),
    ("5NPE34AF0FH012345", "Hyundai", "Sonata", 2015, "Sedan/Saloon"),
    ("3VW2B7AJ8HM123456", "Volkswagen", "Jetta", 2017, "Sedan/Saloon"),
    ("1C4RJFBG5KC123456", "Jeep", "Grand Cherokee", 2019, None),
    ("JM1BL1SF5A1123456", "Mazda", "Mazda3", 2010, "Sedan/Saloon"),
    ("1G1ZD5STXJF123456", "Chevrolet", "Malibu", 2018, "Sedan/Saloon"),
    ("2T3P1RFV7KW123456", "Toyota", "RAV4", 2019, None),
    ("19XFC2F57GE123456", "Honda", "Civic", 2016, "Sedan/Saloon"),
    ("5FNYF5H59HB011946", "Honda", "Pilot", 2017, None),
    ("KNDCE3LG2L5073161", "Kia", "Niro", 2020, None),
    ("SALGS2SE3LA123456", "Land Rover", "Range Rover", 2020, None),
    ("YV4A22PK6J1123456", "Volvo", "XC90", 2018, None),
    ("ZFF67NFA1A0123456", "Ferrari", "458 Italia", 2010, "Coupe"),
    ("3GCUKREC9JG123456", "Chevrolet", "Silverado", 2018, "Pickup"),
    ("YT9NN1U14KA007175", "Koenigsegg", "Regera", 2019, None),
]


@pytest.mark.parametrize(("vin", "make", "model", "year", "body"), KNOWN)
def test_known_vins_decode_offline(
    decoder: Decoder, vin: str, make: str, model: str, year: int, body: str | None
) -> None:
    decode = decoder.decode(vin)
    assert decode.valid, decode.issues
    assert (decode.make, decode.model, decode.model_year) == (make, model, year)
    if body:
        assert decode.body_class == body
    assert decode.check_digit.valid
    assert decode.enrichment == "offline"
    assert decode.manufacturer


def test_wmi_country_region_plant_and_serial(decoder: Decoder) -> None:
    decode = decoder.decode("5FNYF5H59HB011946")
    assert (decode.wmi, decode.vds, decode.vis) == ("5FN", "YF5H59", "HB011946")
    assert (decode.country, decode.region) == ("United States", "North America")
    assert (decode.plant_code, decode.serial) == ("B", "011946")
    assert decode.series == "EXL"


def test_small_manufacturer_wmi_uses_positions_12_to_14(decoder: Decoder) -> None:
    decode = decoder.decode("YT9NN1U14KA007175")
    assert decode.wmi == "YT9007"
    assert decode.serial == "175"
    assert (decode.country, decode.region) == ("Sweden", "Europe")


def test_wrong_check_digit_is_reported_not_silently_decoded(decoder: Decoder) -> None:
    decode = decoder.decode("5FNYF5H58HB011946")
    assert not decode.valid
    assert decode.check_digit.model_dump() == {"valid": False, "expected": "9", "actual": "8"}
    (issue,) = decode.issues
    assert (issue.code, issue.position) == ("check_digit", 9)
    assert "'9'" in issue.detail
    # The maker is certain from the WMI; the model would be a guess from a mistyped VIN.
    assert decode.make == "Honda"
    assert decode.model is None


def test_unknown_wmi_is_invalid(decoder: Decoder) -> None:
    vin = "AAA" + "AAAAA" + "?" + "AAAAAAAA"
    from velox_vin_intel.decoding.rules import check_digit

    vin = vin.replace("?", check_digit(vin.replace("?", "0")))
    decode = decoder.decode(vin)
    assert not decode.valid
    assert [i.code for i in decode.issues] == ["unknown_wmi"]


def test_unused_year_character_is_invalid(decoder: Decoder) -> None:
    from velox_vin_intel.decoding.rules import check_digit

    vin = "5FNYF5H5?UB011946"
    vin = vin.replace("?", check_digit(vin.replace("?", "0")))
    decode = decoder.decode(vin)
    assert [i.code for i in decode.issues] == ["model_year_character"]
    assert decode.model_year is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("5FNYF5H59HB01194", "has 16"),
        ("5FNYF5H59HB0119466", "has 18"),
        ("", "has 0"),
        ("5FNYF5H59HB0I1946", "'I' at position 13"),
        ("5FNYF5H59HBO11946", "'O' at position 12"),
        ("5FNYF5H59HB01194Q", "'Q' at position 17"),
        ("5FNYF5H59HB01194!", "'!' at position 17"),
    ],
)
def test_malformed_vins_raise_with_the_reason(raw: str, message: str) -> None:
    with pytest.raises(InvalidVin) as caught:
        normalise(raw)
    assert message in caught.value.detail


def test_normalise_accepts_what_people_type() -> None:
    assert normalise(" 5fnyf5h59-hb011946 ") == "5FNYF5H59HB011946"


def test_descriptor_is_vpic_key() -> None:
    assert descriptor("5FNYF5H59HB011946") == "YF5H5|HB011946"


def test_snapshot_indexes_agree_with_the_vin_package(decoder: Decoder) -> None:
    from vin import VIN

    for vin, *_ in KNOWN[:8]:
        reference = VIN(vin)
        ours = decoder.decode(vin)
        assert (ours.make, ours.model, ours.model_year) == (
            reference.make,
            reference.model,
            reference.model_year,
        )
        assert (ours.series or "") == reference.series
