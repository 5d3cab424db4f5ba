"""The product catalog as the router sees it: a small, immutable list of entries plus a prepared matcher.

It holds every active product, purchasable or not: a customer who names a product we carry but do not take orders
for ("2 kg de merkén") is understood, and the purchase lane answers that it cannot be ordered by this channel
(`purchase_ok`, meaning "the order mode can order it", travels with the entry) instead of claiming we do not
have it.

`Catalog.from_db()` is called once per turn; it costs one aggregate query and reuses the built catalog while the
product table is unchanged (same row count and newest `updated_at`). The cache is per process (module level), so
each web or worker process builds it once after every catalog change.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from agents.routing.entries import CatalogEntry
from agents.routing.matching import ProductMatcher


class Catalog:
    def __init__(self, entries: list[CatalogEntry]):
        self.entries = list(entries)
        self.by_code = {entry.code: entry for entry in self.entries}

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, code: str | None) -> CatalogEntry | None:
        return self.by_code.get(code) if code else None

    @cached_property
    def matcher(self):
        return ProductMatcher(self.entries)

    @classmethod
    def from_json(cls, path: str | Path) -> Catalog:
        """Load `shared/nlu/catalog.dev.json`'s format: default_code, name, uom, price, purchase_ok, aliases?"""
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls([_entry_from_json(row) for row in rows if row.get("active", True)])

    @classmethod
    def from_db(cls) -> Catalog:
        """Active products from `orders.Product`, each flagged with whether the order mode can order it
        (purchasable, or sellable with ODOO_ORDER_MODEL=sale); rebuilt only when the table (or the mode) changed."""
        # Late: this module also serves bench/nlu.py, which loads catalogs from JSON without setting Django up.
        from django.db.models import Count, Max

        from orders.models import Product
        from orders.modes import is_orderable, order_mode

        products = Product.objects.filter(active=True)
        stamp = products.aggregate(count=Count("id"), newest=Max("updated_at"))
        key = (order_mode(), stamp["count"], stamp["newest"])
        with _CACHE_LOCK:
            cached = _DB_CACHE.get("catalog")
            if cached and cached[0] == key:
                return cached[1]
        rows = products.only("default_code", "name", "uom", "price", "aliases", "active", "purchase_ok", "sale_ok")
        catalog = cls([_entry_from_product(product, is_orderable(product, key[0])) for product in rows])
        with _CACHE_LOCK:
            _DB_CACHE["catalog"] = (key, catalog)
        return catalog


_DB_CACHE: dict[str, tuple[tuple, Catalog]] = {}
_CACHE_LOCK = threading.Lock()


def _entry_from_json(row: dict) -> CatalogEntry:
    return CatalogEntry(
        code=row["default_code"],
        name=row["name"],
        uom=row.get("uom") or "Unidades",
        price=Decimal(str(row.get("price", 0))),
        aliases=tuple(row.get("aliases") or ()),
        purchase_ok=bool(row.get("purchase_ok", True)),
    )


def _entry_from_product(product, purchase_ok: bool) -> CatalogEntry:
    aliases = product.aliases if isinstance(product.aliases, list) else []
    return CatalogEntry(
        code=product.default_code,
        name=product.name,
        uom=product.uom,
        price=product.price,
        aliases=tuple(str(alias) for alias in aliases),
        purchase_ok=purchase_ok,
    )
