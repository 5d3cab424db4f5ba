"""Field names detected with `fields_get`, not guessed from the version (NOTES.md §0.2, §2).

Odoo Online runs `saas~18.x` series where fields were already renamed, so the version number lies. One
`fields_get` per model per process (and per Odoo URL), cached.
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


def model_fields(client, model: str) -> dict[str, dict]:
    key = (client.url, getattr(client.conn, "database", ""), model)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is None:
        cached = client.fields_get(model)
        with _LOCK:
            _CACHE[key] = cached
    return cached


def detect(client) -> OdooFieldNames:
    line = model_fields(client, "purchase.order.line")
    order = model_fields(client, "purchase.order")
    partner = model_fields(client, "res.partner")
    states = {value for value, _label in order.get("state", {}).get("selection") or []}
    return OdooFieldNames(
        line_uom=_first(line, "product_uom_id", "product_uom", "uom_id"),
        line_taxes=_first(line, "tax_ids", "taxes_id"),
        order_notes=_first(order, "note", "notes"),
        partner_mobile="mobile" in partner,
        has_done_state="done" in states,
        has_locked_flag="locked" in order,
        has_receipt_status="receipt_status" in order,
    )


def _first(spec: dict, *candidates: str) -> str:
    for name in candidates:
        if name in spec:
            return name
    return candidates[-1]


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
