"""Side by side: the union of the products' attribute and option names, and each product's
value for every name (plain functions, tested on their own)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from velox_commerce.search.schemas import ProductCard
from velox_commerce.shopping.schemas import ComparedProduct, ComparisonOut

__all__ = ["compare", "option_values", "union_of_names"]


def union_of_names(per_product: Iterable[Iterable[str]]) -> list[str]:
    """Every name once: those more products share first, then alphabetically (ignoring
    case), so the rows a shopper can compare come at the top."""
    counts: Counter[str] = Counter()
    for names in per_product:
        counts.update(set(names))
    return sorted(counts, key=lambda name: (-counts[name], name.casefold(), name))


def option_values(options: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """``[{"name": "Size", "values": ["S", "M"]}]`` as ``{"Size": ["S", "M"]}``."""
    return {str(o["name"]): [str(v) for v in o.get("values", [])] for o in options}


def compare(
    cards: Sequence[ProductCard],
    attributes: Mapping[str, Mapping[str, Any]],
    options: Mapping[str, Mapping[str, list[str]]],
) -> ComparisonOut:
    """The comparison of ``cards`` (in that order), given each product's attributes and
    option values by product id."""
    attribute_names = union_of_names(attributes[c.id].keys() for c in cards)
    option_names = union_of_names(options[c.id].keys() for c in cards)
    return ComparisonOut(
        attributes=attribute_names,
        options=option_names,
        products=[
            ComparedProduct(
                **card.model_dump(),
                attributes={n: attributes[card.id].get(n) for n in attribute_names},
                options={n: options[card.id].get(n, []) for n in option_names},
            )
            for card in cards
        ],
    )
