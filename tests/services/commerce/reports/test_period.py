"""Report periods (days in a time zone, defaults, the longest span) and page cursors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from velox_commerce.reports.service import MAX_DAYS, offset_of, period_of
from velox_shared.errors import UnprocessableContent
from velox_shared.pagination import InvalidCursor, encode_cursor


def test_without_dates_the_period_is_the_last_30_days() -> None:
    period = period_of(None, None, "UTC", today=date(2025, 3, 10))
    assert (period.first_day, period.last_day) == (date(2025, 2, 9), date(2025, 3, 10))
    assert period.start == datetime(2025, 2, 9, tzinfo=UTC)
    assert period.end == datetime(2025, 3, 11, tzinfo=UTC)


def test_days_are_midnight_to_midnight_in_the_time_zone() -> None:
    # Paris is UTC+1 in winter and UTC+2 from 30 March 2025.
    period = period_of(date(2025, 3, 1), date(2025, 3, 31), "Europe/Paris")
    assert period.start == datetime(2025, 2, 28, 23, tzinfo=UTC)
    assert period.end == datetime(2025, 3, 31, 22, tzinfo=UTC)
    assert period.tz == "Europe/Paris"


@pytest.mark.parametrize(
    ("start", "end", "tz"),
    [
        (date(2025, 2, 2), date(2025, 2, 1), "UTC"),
        (date(2024, 1, 1), date(2025, 1, 1), "UTC"),
        (None, None, "Mars/Olympus_Mons"),
        (None, None, ""),
        (None, None, "../etc/passwd"),
    ],
)
def test_a_bad_period_or_zone_is_422(start: date | None, end: date | None, tz: str) -> None:
    with pytest.raises(UnprocessableContent):
        period_of(start, end, tz, today=date(2025, 3, 10))


def test_the_longest_period_is_max_days() -> None:
    period = period_of(date(2024, 1, 1), date(2024, 12, 31), "UTC")
    assert (period.last_day - period.first_day).days + 1 == MAX_DAYS


def test_a_cursor_is_an_offset() -> None:
    assert offset_of(None) == 0
    assert offset_of(encode_cursor({"offset": 200})) == 200
    for bad in ({"offset": -1}, {"offset": True}, {"offset": "5"}, {}):
        with pytest.raises(InvalidCursor):
            offset_of(encode_cursor(bad))
