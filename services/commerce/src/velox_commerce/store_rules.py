"""Rules every store setting obeys, whichever domain it belongs to."""

from __future__ import annotations

from velox_shared.errors import UnprocessableContent

from velox_commerce.db.catalog import Store

__all__ = ["offered_currency"]


def offered_currency(store: Store, currency: str | None, field: str = "currency") -> str:
    """``currency`` (the store's default when ``None``) if the store offers it, else 422."""
    chosen = currency or store.default_currency
    if chosen not in store.currencies:
        raise UnprocessableContent(
            f"{field}: {chosen} is not a currency of this store ({', '.join(store.currencies)}).",
            extensions={"currencies": [chosen]},
        )
    return chosen
