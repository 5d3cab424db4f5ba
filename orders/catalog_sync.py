"""`sync_catalog`: purchasable products from Odoo into the local catalog (CONTRACT §4). Idempotent: a product is
matched by its Odoo id (then by code), written only when something changed, and deactivated when Odoo no longer
offers it for purchase."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from integrations.odoo import gateway
from orders.models import Product

SYNCED_FIELDS = ("default_code", "name", "uom", "price", "vendor_name", "odoo_vendor_id", "qty_available",
                 "purchase_ok", "active")


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


def catalog_sync(*, progress=None) -> SyncSummary:
    """Pull from Odoo (outside any transaction), then apply each product in its own short transaction."""
    rows = gateway.purchasable_products()
    summary = SyncSummary()
    seen: set[int] = set()
    for row in (progress(rows) if progress else rows):
        if not row.get("default_code"):
            summary.skipped.append(row.get("name") or str(row["id"]))
            continue
        seen.add(row["id"])
        outcome = _apply(_values(row), row["id"])
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    summary.deactivated = Product.objects.filter(active=True, odoo_product_id__isnull=False).exclude(
        odoo_product_id__in=seen).update(active=False, purchase_ok=False, synced_at=timezone.now())
    return summary


def _values(row: dict) -> dict:
    vendor = row.get("vendor")
    price = vendor["price"] if vendor else row.get("standard_price") or 0
    partner = vendor.get("partner_id") if vendor else None
    return {
        "default_code": row["default_code"], "name": row["name"],
        "uom": row.get("purchase_uom") or (row["uom_id"][1] if row.get("uom_id") else ""),
        "price": Decimal(str(price)).quantize(Decimal("0.01")),
        "vendor_name": partner[1] if partner else "", "odoo_vendor_id": partner[0] if partner else None,
        "qty_available": Decimal(str(row.get("qty_available") or 0)).quantize(Decimal("0.001")),
        "purchase_ok": True, "active": True,
    }


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
