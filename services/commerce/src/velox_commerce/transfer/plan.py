"""What an import changes: drafts from the file set against the stored catalogue.

Products are matched by handle and variants by SKU. A product's state after the import
(stored variants the file leaves out included) must be one :class:`ProductCreate`
accepts, and the store rules of :class:`CatalogService` hold: SKUs unique in the store
(a SKU never moves to another product), prices only in the store's currencies (checked
on the header), categories of the store. Option names of a stored product are fixed (the
API cannot change them either); new option values are appended to its options.

Only rows that differ are written, so importing an export changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from velox_shared.ids import new_id

from velox_commerce.catalog.schemas import ProductCreate
from velox_commerce.db.catalog import Product, Store, Variant
from velox_commerce.transfer.errors import ErrorList
from velox_commerce.transfer.parse import ProductDraft, VariantDraft
from velox_commerce.transfer.repository import PriceMap

__all__ = ["Counts", "Plan", "Stored", "derived_title", "plan_import"]

Prices = dict[str, tuple[int, int | None]]


def derived_title(names: list[str], values: dict[str, str], product_title: str) -> str:
    """The title of a variant given none: its option values in option order, else the
    product's title (as the API makes it)."""
    return (" / ".join(values[n] for n in names if n in values) or product_title)[:300]


@dataclass
class Stored:
    """The stored catalogue an import touches."""

    products: dict[str, Product]  # by handle
    variants: dict[str, list[Variant]]  # by product id
    owners: dict[str, tuple[str, str]]  # SKU -> (product id, handle)
    prices: PriceMap
    categories: dict[str, list[str]]  # product id -> category ids
    category_ids: dict[str, str]  # handle -> id


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Plan:
    new_products: list[dict[str, Any]] = field(default_factory=list)
    product_updates: list[dict[str, Any]] = field(default_factory=list)
    new_variants: list[dict[str, Any]] = field(default_factory=list)
    variant_updates: list[dict[str, Any]] = field(default_factory=list)
    price_upserts: list[dict[str, Any]] = field(default_factory=list)
    price_deletes: list[tuple[str, str]] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    # Stored products the import changes: product id -> the fields it changes.
    changed: dict[str, list[str]] = field(default_factory=dict)
    products: Counts = field(default_factory=Counts)
    variants: Counts = field(default_factory=Counts)


@dataclass
class _Variant:
    """A variant as it will be: from the file (``row``) or stored and left alone."""

    id: str
    sku: str
    values: dict[str, Any]
    prices: Prices
    row: int | None


def plan_import(
    store: Store, drafts: list[ProductDraft], stored: Stored, errors: ErrorList, now: datetime
) -> Plan:
    plan = Plan()
    for draft in drafts:
        if errors.full:
            break
        category_ids = _category_ids(draft, stored, errors)
        _check_owners(draft, stored, errors)
        if draft.broken:
            continue
        _Planner(store, draft, stored, errors, now, plan).run(category_ids)
    return plan


def _category_ids(draft: ProductDraft, stored: Stored, errors: ErrorList) -> list[str] | None:
    if draft.categories is None:
        return None
    row = draft.rows.get("categories", draft.row)
    unknown = [h for h in draft.categories if h not in stored.category_ids]
    for handle in unknown:
        errors.add(row, "categories", f"No category {handle!r} in this store.")
        draft.broken = True
    return [stored.category_ids[h] for h in draft.categories if h in stored.category_ids]


def _check_owners(draft: ProductDraft, stored: Stored, errors: ErrorList) -> None:
    """A SKU of another product stays there."""
    mine = stored.products.get(draft.handle)
    for variant in draft.variants:
        owner = stored.owners.get(variant.sku)
        if owner is not None and (mine is None or owner[0] != mine.id):
            errors.add(
                variant.row,
                "sku",
                f"SKU {variant.sku!r} belongs to product {owner[1]!r}; a variant cannot move "
                "to another product.",
            )
            draft.broken = True


class _Planner:
    """The changes of one product."""

    def __init__(
        self,
        store: Store,
        draft: ProductDraft,
        stored: Stored,
        errors: ErrorList,
        now: datetime,
        plan: Plan,
    ) -> None:
        self.store = store
        self.draft = draft
        self.stored = stored
        self.errors = errors
        self.now = now
        self.plan = plan
        self.product = stored.products.get(draft.handle)

    def run(self, category_ids: list[str] | None) -> None:
        product_id = self.product.id if self.product is not None else new_id("prod")
        values = self._values()
        if values is None:
            return
        variants = self._variants(product_id, values)
        if variants is None or not self._valid(values, variants, category_ids):
            return
        self._record(product_id, values, variants, category_ids)

    def _values(self) -> dict[str, Any] | None:
        """The product's fields as they will be."""
        draft = self.draft
        if self.product is not None:
            values = _product_values(self.product)
        elif "title" not in draft.fields:
            self.errors.add(draft.row, "title", "A new product needs a title.")
            return None
        else:
            values = {
                "title": "",
                "description": "",
                "status": "active",
                "seo_title": None,
                "seo_description": None,
                "attributes": {},
                "options": [],
            }
        values.update(_blank_kept(values, draft.fields))
        attributes = {**values["attributes"], **draft.attributes}
        values["attributes"] = {k: v for k, v in attributes.items() if k not in draft.removed}
        return values if self._options(values) else None

    def _options(self, values: dict[str, Any]) -> bool:
        """Stored option names are kept; new values are appended in the file's order."""
        draft = self.draft
        names = [o["name"] for o in values["options"]]
        if draft.option_names is None:
            if names and any(v.sku not in self._stored_skus() for v in draft.variants):
                row = next(v.row for v in draft.variants if v.sku not in self._stored_skus())
                self.errors.add(row, None, f"Give a value for each option ({', '.join(names)}).")
                return False
            return True
        if self.product is not None and draft.option_names != names:
            column = "option1_name"
            self.errors.add(
                draft.rows.get(column, draft.row),
                column,
                f"The product's options are {', '.join(names) or 'none'}; an import cannot "
                "rename, add or remove options.",
            )
            return False
        options = {o["name"]: list(o["values"]) for o in values["options"]}
        for name in draft.option_names:
            known = options.setdefault(name, [])
            for variant in draft.variants:
                if variant.option_values[name] not in known:
                    known.append(variant.option_values[name])
        values["options"] = [{"name": n, "values": v} for n, v in options.items()]
        return True

    def _stored_skus(self) -> dict[str, Variant]:
        if self.product is None:
            return {}
        return {v.sku: v for v in self.stored.variants.get(self.product.id, [])}

    def _variants(self, product_id: str, values: dict[str, Any]) -> list[_Variant] | None:
        stored = self._stored_skus()
        names = [o["name"] for o in values["options"]]
        listed = {v.sku for v in self.draft.variants}
        result = [
            _Variant(v.id, v.sku, _variant_values(v), self.stored.prices.get(v.id, {}), None)
            for v in stored.values()
            if v.sku not in listed
        ]
        ok = True
        for draft in self.draft.variants:
            variant = self._variant(draft, stored.get(draft.sku), names, values["title"])
            ok = ok and variant is not None
            if variant is not None:
                result.append(variant)
        return result if ok else None

    def _variant(
        self, draft: VariantDraft, stored: Variant | None, names: list[str], title: str
    ) -> _Variant | None:
        if stored is None:
            base: dict[str, Any] = {
                "barcode": None,
                "weight_grams": 0,
                "track_inventory": True,
                "inventory_policy": "deny",
            }
            options: dict[str, str] = {}
            prices: Prices = {}
        else:
            base = _variant_values(stored)
            options = dict(stored.option_values)
            prices = dict(self.stored.prices.get(stored.id, {}))
        base.update(_blank_kept(base, {k: v for k, v in draft.fields.items() if k != "title"}))
        if self.draft.option_names is not None:
            base["option_values"] = dict(draft.option_values)
        else:
            base["option_values"] = options
        base["title"] = self._title(draft, stored, names, title, base["option_values"])
        final = self._prices(draft, prices)
        if final is None:
            return None
        variant_id = stored.id if stored is not None else new_id("var")
        return _Variant(variant_id, draft.sku, base, final, draft.row)

    def _title(
        self,
        draft: VariantDraft,
        stored: Variant | None,
        names: list[str],
        title: str,
        values: dict[str, str],
    ) -> str:
        if "title" in draft.fields:
            given: str | None = draft.fields["title"]
            return given or derived_title(names, values, title)
        if stored is None:
            return derived_title(names, values, title)
        product_title = self.product.title if self.product is not None else title
        if stored.option_values != values and stored.title == derived_title(
            names, stored.option_values, product_title
        ):
            return derived_title(names, values, title)  # a made-up title follows its options
        return stored.title

    def _prices(self, draft: VariantDraft, prices: Prices) -> Prices | None:
        for currency, amount in draft.prices.items():
            if amount is None:
                prices.pop(currency, None)
            else:
                prices[currency] = (amount, prices.get(currency, (0, None))[1])
        ok = True
        for currency, compare in draft.compare_at.items():
            if currency in prices:
                prices[currency] = (prices[currency][0], compare)
            elif compare is not None:
                self.errors.add(
                    draft.row,
                    f"compare_at.{currency}",
                    f"A compare-at price needs a price in {currency}.",
                )
                ok = False
        return prices if ok else None

    def _valid(
        self, values: dict[str, Any], variants: list[_Variant], category_ids: list[str] | None
    ) -> bool:
        """The product as it will be is one the API accepts (options, SKUs, combinations,
        every field's limits)."""
        if not self._distinct_options(values, variants):
            return False
        stored_categories = self.stored.categories.get(self.product.id, []) if self.product else []
        body = {
            **values,
            "handle": self.draft.handle,
            "category_ids": category_ids if category_ids is not None else stored_categories,
            "variants": [_variant_body(v) for v in variants],
        }
        try:
            ProductCreate.model_validate(body)
        except ValidationError as exc:
            for error in exc.errors():
                row = self.draft.row
                loc = error["loc"]
                if len(loc) > 1 and loc[0] == "variants" and isinstance(loc[1], int):
                    row = variants[loc[1]].row or row
                where = ".".join(str(part) for part in loc)
                self.errors.add(row, None, f"{where + ': ' if where else ''}{error['msg']}.")
            return False
        return True

    def _distinct_options(self, values: dict[str, Any], variants: list[_Variant]) -> bool:
        names = [o["name"] for o in values["options"]]
        if not names:
            return True
        seen: dict[tuple[str, ...], _Variant] = {}
        ok = True
        for variant in sorted(variants, key=lambda v: v.row is not None):
            combo = tuple(variant.values["option_values"].get(n, "") for n in names)
            other = seen.setdefault(combo, variant)
            if other is not variant and variant.row is not None:
                self.errors.add(variant.row, None, f"The same options as SKU {other.sku!r}.")
                ok = False
        return ok

    def _record(
        self,
        product_id: str,
        values: dict[str, Any],
        variants: list[_Variant],
        category_ids: list[str] | None,
    ) -> None:
        plan = self.plan
        fields = self._record_product(product_id, values, category_ids)
        stored = self._stored_skus()
        position = max((v.position for v in stored.values()), default=-1) + 1
        for variant in variants:
            if variant.row is None:
                continue
            old = stored.get(variant.sku)
            if old is None:
                plan.new_variants.append(self._new_variant(product_id, variant, position))
                position += 1
                plan.variants.created += 1
            elif _variant_values(old) != variant.values or self._prices_changed(variant):
                plan.variant_updates.append(
                    {"id": old.id, **variant.values, "updated_at": self.now}
                )
                plan.variants.updated += 1
            else:
                plan.variants.unchanged += 1
                continue
            fields.add("variants")
            self._record_prices(variant)
        if self.product is None:
            plan.products.created += 1
        elif fields:
            plan.products.updated += 1
            plan.changed[product_id] = sorted(fields)
        else:
            plan.products.unchanged += 1

    def _record_product(
        self, product_id: str, values: dict[str, Any], category_ids: list[str] | None
    ) -> set[str]:
        """Record the product's own changes; the names of the fields that change."""
        plan = self.plan
        if self.product is None:
            plan.new_products.append(
                {
                    "id": product_id,
                    "account_id": self.store.account_id,
                    "store_id": self.store.id,
                    "handle": self.draft.handle,
                    **values,
                }
            )
            if category_ids:
                plan.categories[product_id] = category_ids
            return {"created"}
        old = _product_values(self.product)
        changed = {name for name, value in values.items() if old[name] != value}
        if changed:
            plan.product_updates.append({"id": product_id, **values, "updated_at": self.now})
        stored = set(self.stored.categories.get(product_id, []))
        if category_ids is not None and set(category_ids) != stored:
            plan.categories[product_id] = category_ids
            changed.add("category_ids")
        return changed

    def _new_variant(self, product_id: str, variant: _Variant, position: int) -> dict[str, Any]:
        return {
            "id": variant.id,
            "account_id": self.store.account_id,
            "store_id": self.store.id,
            "product_id": product_id,
            "sku": variant.sku,
            "position": position,
            **variant.values,
        }

    def _prices_changed(self, variant: _Variant) -> bool:
        return self.stored.prices.get(variant.id, {}) != variant.prices

    def _record_prices(self, variant: _Variant) -> None:
        old = self.stored.prices.get(variant.id, {})
        for currency, (amount, compare) in variant.prices.items():
            if old.get(currency) != (amount, compare):
                self.plan.price_upserts.append(
                    {
                        "variant_id": variant.id,
                        "currency": currency,
                        "account_id": self.store.account_id,
                        "amount": amount,
                        "compare_at_amount": compare,
                    }
                )
        self.plan.price_deletes.extend((variant.id, c) for c in old if c not in variant.prices)


def _blank_kept(stored: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """``given`` without the blanks (None) over a stored empty string: a cell cannot tell
    an empty text from none, so an export of either re-imports unchanged."""
    return {k: v for k, v in given.items() if not (v is None and stored.get(k) == "")}


def _variant_values(variant: Variant) -> dict[str, Any]:
    return {
        "barcode": variant.barcode,
        "title": variant.title,
        "option_values": dict(variant.option_values),
        "weight_grams": variant.weight_grams,
        "track_inventory": variant.track_inventory,
        "inventory_policy": variant.inventory_policy,
    }


def _product_values(product: Product) -> dict[str, Any]:
    return {
        "title": product.title,
        "description": product.description,
        "status": product.status,
        "seo_title": product.seo_title,
        "seo_description": product.seo_description,
        "attributes": dict(product.attributes),
        "options": [dict(o) for o in product.options],
    }


def _variant_body(variant: _Variant) -> dict[str, Any]:
    return {
        "sku": variant.sku,
        **variant.values,
        "prices": {c: amount for c, (amount, _) in variant.prices.items()},
        "compare_at_prices": {c: cmp for c, (_, cmp) in variant.prices.items() if cmp is not None},
    }
