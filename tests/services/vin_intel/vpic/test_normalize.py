"""vPIC rows to our attributes: empty and "Not Applicable" are no value, numbers are numbers,
every other non-empty variable survives under ``extras``."""

from __future__ import annotations

import json

from velox_devstack.fakevpic import RECORDINGS
from velox_vin_intel.vpic import FIELDS, VpicRecord, normalise_row


def test_numbers_are_parsed_and_empty_values_dropped() -> None:
    attrs = normalise_row(
        {
            "Make": "TESLA",
            "ModelYear": "2015",
            "Doors": "5",
            "DisplacementL": "",
            "EngineHP": "1,020",
            "Series2": "Not Applicable",
            "Trim": "  P85D ",
        }
    )

    assert attrs == {
        "make": "TESLA",
        "model_year": 2015,
        "doors": 5,
        "engine_hp": 1020.0,
        "trim": "P85D",
    }


def test_a_number_written_in_words_stays_in_extras() -> None:
    attrs = normalise_row({"TransmissionSpeeds": "CVT", "EngineCylinders": "4"})

    assert "transmission_speeds" not in attrs
    assert attrs["extras"] == {"TransmissionSpeeds": "CVT"}
    assert attrs["engine_cylinders"] == 4


def test_error_codes_of_a_failed_decode_are_split() -> None:
    record = VpicRecord.from_row({"VIN": "1hgcm82633a004353", "ErrorCode": "1,7,400"})

    assert record.vin == "1HGCM82633A004353"
    assert record.error_codes == ("1", "7", "400")
    assert not record.clean
    assert not record.identified


def test_every_recording_normalises_to_the_named_fields() -> None:
    for path in sorted(RECORDINGS.glob("*.json")):
        (row,) = json.loads(path.read_text())["Results"]
        record = VpicRecord.from_row(row)

        assert record.vin == path.stem
        assert set(record.attributes) <= set(FIELDS)
        assert record.clean and record.identified, path.stem
        assert isinstance(record.attributes["model_year"], int)
        assert not {"VIN", "Make", "ModelYear"} & set(record.attributes["extras"])
