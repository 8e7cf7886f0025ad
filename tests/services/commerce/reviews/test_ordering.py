"""Review sorts, their cursors and the rating average, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql
from velox_commerce.db.discovery import Review
from velox_commerce.reviews.ordering import (
    SORTS,
    after,
    cursor_for,
    order_by,
    parse_cursor,
    rating_average,
)
from velox_commerce.reviews.schemas import ReviewSort
from velox_shared.pagination import InvalidCursor, encode_cursor

AT = datetime(2026, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)


# (stars: reviews, average); cheap cases in one test (each test ends with a gc pass).
AVERAGES: list[tuple[dict[int, int], float | None]] = [
    ({}, None),
    ({1: 0, 5: 0}, None),
    ({5: 1}, 5.0),
    ({5: 1, 2: 1}, 3.5),
    ({5: 2, 4: 1}, 4.67),  # 4.666... rounds up
    ({1: 2, 2: 1}, 1.33),  # 1.333... rounds down
    ({1: 1, 2: 1, 5: 6}, 4.13),  # 4.125 rounds half up, as PostgreSQL's round()
]


def test_the_average_rounds_half_up_to_hundredths() -> None:
    assert [rating_average(d) for d, _ in AVERAGES] == [a for _, a in AVERAGES]


def test_a_cursor_carries_its_sort_key() -> None:
    review = Review(id="rev_1", rating=4, created_at=AT)
    values = {"created_at": AT, "rating": 4, "id": "rev_1"}
    sorts: list[ReviewSort] = list(SORTS)
    for sort in sorts:
        key = parse_cursor(sort, cursor_for(sort, review))
        assert key == [values[name] for name, _ in SORTS[sort]], sort


def test_a_cursor_of_another_sort_or_shape_is_refused() -> None:
    cursor = cursor_for("newest", Review(id="rev_1", rating=4, created_at=AT))
    with pytest.raises(InvalidCursor):
        parse_cursor("highest", cursor)
    for values in ({"s": "newest", "v": ["yesterday", "rev_1"]}, {"s": "newest", "v": "x"}):
        with pytest.raises(InvalidCursor):
            parse_cursor("newest", encode_cursor(values))


def test_highest_pages_on_stars_then_newest() -> None:
    sql = str(
        after("highest", [4, AT, "rev_1"]).compile(
            dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
            compile_kwargs={"literal_binds": True},
        )
    )
    at = "'2026-05-01 12:30:15.123456+00:00'"
    assert sql == (
        "commerce.reviews.rating < 4"
        f" OR commerce.reviews.rating = 4 AND commerce.reviews.created_at < {at}"
        f" OR commerce.reviews.rating = 4 AND commerce.reviews.created_at = {at}"
        " AND commerce.reviews.id < 'rev_1'"
    )
    ordered = [str(c) for c in order_by("lowest")]
    assert ordered == [
        "commerce.reviews.rating ASC",
        "commerce.reviews.created_at DESC",
        "commerce.reviews.id DESC",
    ]
