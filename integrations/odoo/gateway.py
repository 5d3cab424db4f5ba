"""The purchase operations the orders app needs, in Odoo terms, over `OdooClient` (NOTES.md §3-§6).

Every action re-reads the order afterwards and returns what Odoo now says: `button_confirm` returns True even when
it routed the order to approval, `button_approve` returns {} even when it did nothing, `button_cancel` returns
None (a fault over XML-RPC). Call these outside any database transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import phonenumbers

from integrations.odoo.client import OdooClient, get_client
from integrations.odoo.fields import detect, model_fields

ORDER_FIELDS = ["name", "state", "origin", "partner_id", "amount_untaxed", "amount_total", "currency_id",
                "order_line"]
LINE_FIELDS = ["product_id", "product_qty", "price_unit", "price_subtotal", "qty_received"]


@dataclass(frozen=True)
class OdooOrder:
    id: int
    name: str
    state: str  # Odoo's own: draft, sent, to approve, purchase, done, cancel
    origin: str
    amount_untaxed: Decimal
    amount_total: Decimal
    currency: str
    locked: bool
    receipt_status: str  # '', pending, partial, full

    @property
    def received(self) -> bool:
        return self.receipt_status == "full"


@dataclass(frozen=True)
class LineVals:
    odoo_product_id: int
    quantity: Decimal
    unit_price: Decimal
    description: str = ""


def client() -> OdooClient:
    return get_client()


# --- partners ------------------------------------------------------------------------------------------------
def e164(phone: str, region: str = "CL") -> str:
    try:
        parsed = phonenumbers.parse(phone or "", region)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) if phonenumbers.is_possible_number(parsed) else ""


def partner_find(*, phone: str = "", email: str = "") -> int | None:
    """By E.164-normalised phone (and mobile where the field exists), then by e-mail, in ONE search. Odoo stores
    phones as typed ("+56 9 8765 4321"), so we narrow by the last four digits and compare normalised here."""
    odoo = client()
    wanted = e164(phone)
    phone_fields = ["phone"] + (["mobile"] if detect(odoo).partner_mobile else [])
    leaves = [(f, "ilike", wanted[-4:]) for f in phone_fields] if wanted else []
    leaves += [("email", "=ilike", email.strip())] if email else []
    if not leaves:
        return None
    rows = odoo.search_read("res.partner", ["|"] * (len(leaves) - 1) + leaves, ["id", "email"] + phone_fields,
                            limit=50)
    by_phone = [r["id"] for r in rows if wanted and any(e164(r.get(f) or "") == wanted for f in phone_fields)]
    by_email = [r["id"] for r in rows if email and (r.get("email") or "").lower() == email.strip().lower()]
    return (by_phone or by_email or [None])[0]


def partner_create(*, name: str, phone: str, email: str) -> int | None:
    vals = {"name": name or phone or email, "phone": phone or False, "email": email or False}
    return client().create("res.partner", vals)


# --- orders --------------------------------------------------------------------------------------------------
def order_find_by_origin(origin_key: str) -> OdooOrder | None:
    rows = client().search_read("purchase.order", [("origin", "ilike", origin_key)], _order_fields(), limit=1)
    return _order(rows[0]) if rows else None


def order_create(*, partner_id: int, origin: str, lines: list[LineVals]) -> int | None:
    """The RFQ with its lines in ONE create call."""
    vals = {"partner_id": partner_id, "origin": origin, "order_line": [(0, 0, _line(line)) for line in lines]}
    return client().create("purchase.order", vals)


def order_set_lines(odoo_id: int, lines: list[LineVals]) -> OdooOrder:
    """Replace the lines (5 = clear, then 0 = create) in one write, then re-read."""
    commands = [(5, 0, 0)] + [(0, 0, _line(line)) for line in lines]
    client().write("purchase.order", [odoo_id], {"order_line": commands})
    return order_read(odoo_id)


def order_read(odoo_id: int) -> OdooOrder | None:
    rows = client().read("purchase.order", [odoo_id], _order_fields())
    return _order(rows[0]) if rows else None


def order_button(odoo_id: int, button: str) -> OdooOrder | None:
    client().button("purchase.order", button, [odoo_id])
    return order_read(odoo_id)


def _line(line: LineVals) -> dict:
    vals = {"product_id": line.odoo_product_id, "product_qty": float(line.quantity),
            "price_unit": float(line.unit_price)}
    if line.description:
        vals["name"] = line.description
    return vals


def _order_fields() -> list[str]:
    names = detect(client())
    extra = (["locked"] if names.has_locked_flag else []) + (["receipt_status"] if names.has_receipt_status else [])
    return ORDER_FIELDS + extra


def _order(row: dict) -> OdooOrder:
    currency = row.get("currency_id")
    return OdooOrder(
        id=row["id"], name=row.get("name") or "", state=row.get("state") or "", origin=row.get("origin") or "",
        amount_untaxed=Decimal(str(row.get("amount_untaxed") or 0)),
        amount_total=Decimal(str(row.get("amount_total") or 0)),
        currency=currency[1] if isinstance(currency, list) else "",
        locked=bool(row.get("locked")) or row.get("state") == "done",
        receipt_status=row.get("receipt_status") or "",
    )


# --- catalog -------------------------------------------------------------------------------------------------
def purchasable_products() -> list[dict]:
    """Purchasable products with their vendor price (first supplierinfo) and stock on hand."""
    odoo = client()
    # Purchase unit: 17/18 keep it on the product (uom_po_id); 19 on the vendor line (product_uom_id).
    po_uom = [f for f in ("uom_po_id",) if f in model_fields(odoo, "product.product")]
    seller_uom = [f for f in ("product_uom_id", "product_uom") if f in model_fields(odoo, "product.supplierinfo")][:1]
    products = odoo.search_read("product.product", [("purchase_ok", "=", True)],
                                ["default_code", "name", "uom_id", "standard_price", "qty_available", "seller_ids"]
                                + po_uom, order="default_code")
    seller_ids = [sid for p in products for sid in (p.get("seller_ids") or [])]
    fields = ["partner_id", "price", "sequence", "min_qty"] + seller_uom
    sellers = {s["id"]: s for s in (odoo.read("product.supplierinfo", seller_ids, fields) if seller_ids else [])}
    for product in products:
        own = sorted((sellers[s] for s in product.get("seller_ids") or [] if s in sellers),
                     key=lambda s: (s.get("sequence") or 0, s["id"]))
        product["vendor"] = own[0] if own else None
        uom = (own[0].get(seller_uom[0]) if own and seller_uom else None) or product.get("uom_po_id") or product["uom_id"]
        product["purchase_uom"] = uom[1] if isinstance(uom, list) else ""
    return products
