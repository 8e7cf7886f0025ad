"""The union of attribute and option names a comparison shows, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from velox_commerce.search.schemas import ProductCard, Rating
from velox_commerce.shopping.comparison import compare, option_values, union_of_names


def test_shared_names_come_first_then_alphabetically_ignoring_case() -> None:
    names = union_of_names([["weight", "Color", "size"], ["size", "brand"], ["Size", "size"]])
    assert names == ["size", "brand", "Color", "Size", "weight"]
    assert union_of_names([]) == []


def test_option_values_by_name() -> None:
    options = [{"name": "Size", "values": ["S", "M"]}, {"name": "Color", "values": []}]
    assert option_values(options) == {"Size": ["S", "M"], "Color": []}


def test_every_product_gets_every_name() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    cards = [
        ProductCard(
            id=i,
            title=i,
            handle=i,
            in_stock=True,
            rating=Rating(average=None, count=0),
            prices={},
            created_at=at,
        )
        for i in ("p1", "p2")
    ]
    out = compare(
        cards,
        {"p1": {"a": 1}, "p2": {"b": [1, 2]}},
        {"p1": {"Size": ["S"]}, "p2": {}},
    )
    assert out.attributes == ["a", "b"] and out.options == ["Size"]
    assert [p.attributes for p in out.products] == [{"a": 1, "b": None}, {"a": None, "b": [1, 2]}]
    assert [p.options for p in out.products] == [{"Size": ["S"]}, {"Size": []}]
