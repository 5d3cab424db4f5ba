"""Field names detected with `fields_get`, not guessed from the version (NOTES.md §0.2, §2, §11).

Odoo Online runs `saas~18.x` series where fields were already renamed, so the version number lies. One
`fields_get` per model per process (and per Odoo URL), cached. Each detector reads only its own app's models, so a
database without Purchase (or without Sales) still works for the other mode.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

_CACHE: dict[tuple, dict] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class OdooFieldNames:
    line_uom: str  # purchase.order.line: product_uom (17/18) or product_uom_id (19)
    line_taxes: str  # taxes_id (17/18) or tax_ids (19)
    order_notes: str  # notes (17/18) or note (19)
    partner_mobile: bool  # res.partner.mobile exists (gone in 19)
    has_done_state: bool  # purchase.order.state has 'done' (17/18); 19 locks with a boolean instead
    has_locked_flag: bool
    has_receipt_status: bool  # purchase_stock installed
    has_date_planned: bool = True


@dataclass(frozen=True)
class SaleFieldNames:
    line_uom: str  # sale.order.line: product_uom (17/18) or product_uom_id (19)
    line_taxes: str  # tax_id (17/18) or tax_ids (19)
    has_delivery_status: bool  # sale_stock installed
    has_commitment_date: bool
    has_expected_date: bool
    has_qty_delivered: bool
    partner_mobile: bool


def model_fields(client, model: str) -> dict[str, dict]:
    key = (client.url, getattr(client.conn, "database", ""), model)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is None:
        cached = client.fields_get(model)
        with _LOCK:
            _CACHE[key] = cached
    return cached


def partner_has_mobile(client) -> bool:
    return "mobile" in model_fields(client, "res.partner")


def detect(client) -> OdooFieldNames:
    line = model_fields(client, "purchase.order.line")
    order = model_fields(client, "purchase.order")
    states = {value for value, _label in order.get("state", {}).get("selection") or []}
    return OdooFieldNames(
        line_uom=_first(line, "product_uom_id", "product_uom", "uom_id"),
        line_taxes=_first(line, "tax_ids", "taxes_id"),
        order_notes=_first(order, "note", "notes"),
        partner_mobile=partner_has_mobile(client),
        has_done_state="done" in states,
        has_locked_flag="locked" in order,
        has_receipt_status="receipt_status" in order,
        has_date_planned="date_planned" in order,
    )


def detect_sale(client) -> SaleFieldNames:
    line = model_fields(client, "sale.order.line")
    order = model_fields(client, "sale.order")
    return SaleFieldNames(
        line_uom=_first(line, "product_uom_id", "product_uom"),
        line_taxes=_first(line, "tax_ids", "tax_id"),
        has_delivery_status="delivery_status" in order,
        has_commitment_date="commitment_date" in order,
        has_expected_date="expected_date" in order,
        has_qty_delivered="qty_delivered" in line,
        partner_mobile=partner_has_mobile(client),
    )


def detect_for(client, mode: str) -> OdooFieldNames | SaleFieldNames:
    """All the names one mode needs, detected together at its first call (then cached): a database without the
    other mode's app is never asked about it."""
    return detect_sale(client) if mode == "sale" else detect(client)


def present(client, model: str, *names: str) -> list[str]:
    """Those of `names` the model has, in the order given."""
    spec = model_fields(client, model)
    return [name for name in names if name in spec]


def _first(spec: dict, *candidates: str) -> str:
    for name in candidates:
        if name in spec:
            return name
    return candidates[-1]


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
