"""Pure logic of search: attribute filters, result-window cursors, card prices."""

from __future__ import annotations

import pytest
from velox_commerce.search.engine import MAX_OFFSET, SearchResult
from velox_commerce.search.postgres import card_prices
from velox_commerce.search.schemas import PriceRange
from velox_commerce.search.service import _next_cursor, _offset, parse_attributes
from velox_shared.errors import UnprocessableContent
from velox_shared.pagination import InvalidCursor, encode_cursor


def test_attribute_filters_group_by_name_in_lower_case() -> None:
    parsed = parse_attributes(["Color:Red", "color:blue", "size:42", "COLOR:red", "ratio:16:9"])
    assert parsed == (("color", ("red", "blue")), ("size", ("42",)), ("ratio", ("16:9",)))


@pytest.mark.parametrize("bad", ["color: ", " :red", "color"])
def test_an_attribute_filter_needs_a_name_and_a_value(bad: str) -> None:
    with pytest.raises(UnprocessableContent):
        parse_attributes([bad])


def test_cursors_carry_an_offset_inside_the_result_window() -> None:
    assert _offset(None, 24) == 0
    assert _offset(encode_cursor({"o": 48}), 24) == 48
    for bad in ({"o": -1}, {"o": "5"}, {"o": True}, {}):
        with pytest.raises(InvalidCursor):
            _offset(encode_cursor(bad), 24)
    with pytest.raises(UnprocessableContent):
        _offset(encode_cursor({"o": MAX_OFFSET - 10}), 24)


@pytest.mark.parametrize(
    ("total", "offset", "limit", "following"),
    [(100, 0, 24, 24), (48, 24, 24, None), (47, 24, 24, None), (49, 24, 24, 48)],
)
def test_the_next_cursor_points_past_this_page(
    total: int, offset: int, limit: int, following: int | None
) -> None:
    result = SearchResult(total=total, match="all", items=[], facets=None)
    cursor = _next_cursor(result, offset, limit)
    assert (cursor and _offset(cursor, limit)) == following


def test_the_last_page_of_the_result_window_has_no_next_cursor() -> None:
    result = SearchResult(total=MAX_OFFSET * 2, match="all", items=[], facets=None)
    assert _next_cursor(result, MAX_OFFSET - 48, 24) is not None
    assert _next_cursor(result, MAX_OFFSET - 24, 24) is None


def test_card_prices_keep_the_currencies_asked_for() -> None:
    stored = {"USD": [500, 900], "EUR": [450, 800]}
    assert card_prices(stored, ("EUR", "JPY")) == {"EUR": PriceRange(min=450, max=800)}
