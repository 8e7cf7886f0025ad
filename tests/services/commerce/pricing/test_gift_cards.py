"""Gift cards pay after tax, in order, up to what is due."""

from __future__ import annotations

from datetime import timedelta

from velox_commerce.pricing import GiftCard, TaxRate

from tests.services.commerce.pricing.builders import NOW, VAT_20, line, problem_codes, totals


def card(id_: str, balance: int, currency: str = "USD", **fields: object) -> GiftCard:
    return GiftCard(id_, f"CODE-{id_}", balance, currency, **fields)  # type: ignore[arg-type]


def test_partial_gift_card_pays_part_of_the_total_after_tax() -> None:
    result = totals(line("a", 1000), taxes=(VAT_20,), gift_cards=(card("g", 500),))
    assert (result.total, result.gift_card_total, result.amount_due) == (1200, 500, 700)
    assert [(g.id, g.code, g.amount) for g in result.gift_cards] == [("g", "CODE-g", 500)]


def test_gift_card_larger_than_the_total_pays_only_what_is_due() -> None:
    result = totals(line("a", 1000), taxes=(VAT_20,), gift_cards=(card("g", 5000), card("h", 10)))
    assert (result.gift_card_total, result.amount_due) == (1200, 0)
    assert [(g.id, g.amount) for g in result.gift_cards] == [("g", 1200)]


def test_gift_cards_apply_in_order() -> None:
    result = totals(line("a", 1000), gift_cards=(card("g", 300), card("h", 900), card("i", 50)))
    assert [(g.id, g.amount) for g in result.gift_cards] == [("g", 300), ("h", 700)]
    assert result.amount_due == 0


def test_expired_gift_card_is_refused() -> None:
    expired = card("g", 500, expires_at=NOW)
    valid = card("h", 500, expires_at=NOW + timedelta(seconds=1))
    result = totals(line("a", 1000), gift_cards=(expired, valid))
    assert problem_codes(result) == [("gift-card-expired", "CODE-g")]
    assert [(g.id, g.amount) for g in result.gift_cards] == [("h", 500)]


def test_gift_card_in_another_currency_is_refused() -> None:
    result = totals(
        line("a", 1000), currency="EUR", gift_cards=(card("g", 500, "USD"), card("h", 100, "eur"))
    )
    assert problem_codes(result) == [("currency-mismatch", "CODE-g")]
    assert result.gift_card_total == 100


def test_empty_gift_card_is_reported() -> None:
    result = totals(line("a", 1000), gift_cards=(card("g", 0),))
    assert problem_codes(result) == [("gift-card-empty", "CODE-g")]
    assert result.amount_due == 1000


def test_the_same_card_twice_pays_once() -> None:
    result = totals(line("a", 1000), gift_cards=(card("g", 300), card("g", 300)))
    assert result.gift_card_total == 300


def test_gift_cards_do_not_change_tax_or_total() -> None:
    taxes = (TaxRate("VAT", 1000),)
    without = totals(line("a", 999, 3), currency="KWD", taxes=taxes)
    with_card = totals(
        line("a", 999, 3), currency="KWD", taxes=taxes, gift_cards=(card("g", 1000, "KWD"),)
    )
    assert (with_card.tax_total, with_card.total) == (without.tax_total, without.total)
    assert with_card.amount_due == without.total - 1000
