"""`sync_catalog`: the products of the order mode from Odoo into the local catalog (CONTRACT §4).

- purchase mode (`ODOO_ORDER_MODEL=purchase`): purchasable products (`purchase_ok`) with the vendor price (first
  supplier line, else the cost), the purchase unit and the vendor;
- sale mode: sellable products (`sale_ok`) with the sales price (`lst_price`; a customer's pricelist is applied by
  Odoo on the quotation itself), the sales unit and the quantity free to promise (`free_qty`).
Both with stock on hand and Odoo's own `purchase_ok` / `sale_ok`. Idempotent: a product is matched by its Odoo id
(then by code), written only when something changed, and deactivated when Odoo no longer offers it in this mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.odoo import gateway
from orders.models import Product

SYNCED_FIELDS = ("default_code", "name", "uom", "price", "vendor_name", "odoo_vendor_id", "qty_available",
                 "qty_free", "purchase_ok", "sale_ok", "active")


@dataclass
class SyncSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    skipped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
                f"deactivated {self.deactivated}")
        return text + (f", skipped {len(self.skipped)} without a code" if self.skipped else "")


def catalog_sync(*, progress=None, mode: str | None = None) -> SyncSummary:
    """Pull from Odoo (outside any transaction), then apply each product in its own short transaction."""
    mode = mode or settings.ODOO_ORDER_MODEL
    gateway.ensure_order_model(mode)  # a catalog for a mode Odoo cannot serve would only mislead
    rows, values = (gateway.sellable_products(), _sale_values) if mode == "sale" else \
        (gateway.purchasable_products(), _purchase_values)
    summary = SyncSummary()
    seen: set[int] = set()
    for row in (progress(rows) if progress else rows):
        if not row.get("default_code"):
            summary.skipped.append(row.get("name") or str(row["id"]))
            continue
        seen.add(row["id"])
        outcome = _apply(values(row), row["id"])
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    withdrawn = {"sale_ok": False} if mode == "sale" else {"purchase_ok": False}
    summary.deactivated = Product.objects.filter(active=True, odoo_product_id__isnull=False).exclude(
        odoo_product_id__in=seen).update(active=False, synced_at=timezone.now(), **withdrawn)
    return summary


def _purchase_values(row: dict) -> dict:
    vendor = row.get("vendor")
    price = vendor["price"] if vendor else row.get("standard_price") or 0
    partner = vendor.get("partner_id") if vendor else None
    return {
        "default_code": row["default_code"], "name": row["name"],
        "uom": row.get("purchase_uom") or _name(row.get("uom_id")),
        "price": _price(price), "vendor_name": partner[1] if partner else "",
        "odoo_vendor_id": partner[0] if partner else None, "qty_available": _qty(row.get("qty_available")),
        "qty_free": None, "purchase_ok": True, "sale_ok": bool(row.get("sale_ok")), "active": True,
    }


def _sale_values(row: dict) -> dict:
    return {
        "default_code": row["default_code"], "name": row["name"], "uom": _name(row.get("uom_id")),
        "price": _price(row.get("lst_price")), "vendor_name": "", "odoo_vendor_id": None,
        "qty_available": _qty(row.get("qty_available")),
        # Free to use (on hand minus what is promised) is what a quote can count on; not every database has it.
        "qty_free": _qty(row["free_qty"]) if "free_qty" in row else None,
        "purchase_ok": bool(row.get("purchase_ok")), "sale_ok": True, "active": True,
    }


def _name(many2one) -> str:
    return many2one[1] if isinstance(many2one, list) and len(many2one) > 1 else ""


def _price(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _qty(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.001"))


def _apply(values: dict, odoo_id: int) -> str:
    with transaction.atomic():
        product = (Product.objects.select_for_update().filter(odoo_product_id=odoo_id).first()
                   or Product.objects.select_for_update().filter(default_code=values["default_code"]).first())
        if product is None:
            Product.objects.create(odoo_product_id=odoo_id, synced_at=timezone.now(), **values)
            return "created"
        changed = [f for f in SYNCED_FIELDS if getattr(product, f) != values[f]] + (
            ["odoo_product_id"] if product.odoo_product_id != odoo_id else [])
        if not changed:
            return "unchanged"
        for name in SYNCED_FIELDS:
            setattr(product, name, values[name])
        product.odoo_product_id = odoo_id
        product.synced_at = timezone.now()
        product.save(update_fields=[*SYNCED_FIELDS, "odoo_product_id", "synced_at", "updated_at"])
        return "updated"
