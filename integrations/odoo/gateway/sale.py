"""Quotations and sales orders in Odoo: `sale.order` (NOTES.md §11), the same command API as `purchase`.

- `find(key)`, `read(odoo_id)`: state (draft, sent, sale, cancel), `locked`, totals, `commitment_date` /
  `expected_date`, `delivery_status`, and per line the ordered and delivered quantities, Odoo's price and discount.
- `create(key=, partner_id=, lines=, origin=, client_ref=, commitment_date=)`: looks the key up first; lines are sent
  without `price_unit` so Odoo prices them (the customer's pricelist, else the list price); read back what it chose.
- `set_lines(odoo_id, lines)`: brings the lines to `lines` by product with the fewest changes: quantities updated in
  place, new products added, products no longer wanted deleted on a quotation and set to quantity 0 on a confirmed
  order (Odoo refuses to delete a confirmed line). Repeating it changes nothing.
- `mark_sent(odoo_id)`: `action_quotation_sent` (draft → sent, no e-mail); it returns None, which over XML-RPC is
  the "cannot marshal None" fault after the commit (the client reads that as success).
- `confirm(odoo_id)`: `action_confirm` (draft/sent → sale; Odoo refuses an order already confirmed, which we read as
  done when a re-read says `sale`).
- `cancel(odoo_id)`: `action_cancel` with context `disable_cancel_warning`. 17.0/18.0 answer a sent or confirmed
  order with the `sale.order.cancel` wizard unless that key is set; 19.0 has no wizard (removed in saas-18.2) and
  ignores the key, cancelling and returning True. So one call is right on every version.
- `set_commitment_date(odoo_id, when)`: the delivery date promised to the customer.
Each action re-reads and returns what Odoo now says; a maybe-done failure propagates (repeat the same command).
"""

from __future__ import annotations

import datetime as dt

from integrations.odoo import errors
from integrations.odoo.fields import detect_sale, present
from integrations.odoo.gateway.common import act, client, find_ids, origin_for, read_with_lines
from integrations.odoo.gateway.types import (LineVals, OdooLine, OdooOrder, m2o_id, m2o_name, money,
                                             odoo_datetime, when)

MODEL = "sale.order"
LINE_MODEL = "sale.order.line"
ORDER_FIELDS = ["name", "state", "origin", "client_order_ref", "partner_id", "amount_untaxed", "amount_tax",
                "amount_total", "currency_id", "order_line", "locked"]
LINE_FIELDS = ["product_id", "name", "product_uom_qty", "price_unit", "discount", "price_subtotal", "price_tax",
               "price_total", "customer_lead", "display_type"]


# --- the command API -----------------------------------------------------------------------------------------
def find(key: str, *, lines: bool = False) -> OdooOrder | None:
    found = find_ids(MODEL, key)
    return read(found[0], lines=lines) if found else None


def read(odoo_id: int, *, lines: bool = True) -> OdooOrder | None:
    """The order as Odoo holds it; with `lines`, its lines too, in the same call (`read_with_lines`)."""
    if lines:
        found = read_with_lines(MODEL, odoo_id, _order_fields(), line_model=LINE_MODEL, line_fields=_line_fields())
        if found is None:
            return None
        row, line_rows = found
        uom = detect_sale(client()).line_uom
        return _order(row, [_odoo_line(line, uom) for line in line_rows if not line.get("display_type")])
    rows = client().read(MODEL, [odoo_id], _order_fields())
    return _order(rows[0]) if rows else None


def create(*, key: str, partner_id: int, lines: list[LineVals], origin: str = "", client_ref: str = "",
           commitment_date: dt.datetime | None = None, look_first: bool = True) -> OdooOrder | None:
    origin = origin_for(key, origin)
    existing = find(key, lines=True) if look_first else None
    if existing is not None:
        return existing
    vals = {"partner_id": partner_id, "origin": origin, "order_line": [(0, 0, _line(line)) for line in lines]}
    if client_ref:
        vals["client_order_ref"] = client_ref
    if commitment_date is not None:
        vals["commitment_date"] = odoo_datetime(commitment_date)
    odoo_id = client().create(MODEL, vals)
    return read(odoo_id) if odoo_id is not None else None  # None: DRY_RUN, nothing was sent


def set_lines(odoo_id: int, lines: list[LineVals]) -> OdooOrder:
    order = _required(odoo_id)
    commands = _line_commands(order, lines)
    if commands:
        client().write(MODEL, [odoo_id], {"order_line": commands})
        order = _required(odoo_id)
    return order


def mark_sent(odoo_id: int, *, state: str | None = None) -> OdooOrder:  # `state`: as for purchase.mark_sent
    return act(read, odoo_id, lambda: client().button(MODEL, "action_quotation_sent", [odoo_id]),
               done=lambda o: o.state in ("sent", "sale"))


def confirm(odoo_id: int) -> OdooOrder:
    return act(read, odoo_id, lambda: client().button(MODEL, "action_confirm", [odoo_id]),
               done=lambda o: o.state == "sale")


def cancel(odoo_id: int) -> OdooOrder:
    def call():
        answer = client().call(MODEL, "action_cancel", ids=[odoo_id], context={"disable_cancel_warning": True})
        if isinstance(answer, dict) and answer.get("res_model") == "sale.order.cancel":
            raise errors.OdooValidationError("Odoo answered with its cancel wizard instead of cancelling")

    return act(read, odoo_id, call, done=lambda o: o.state == "cancel")


def set_commitment_date(odoo_id: int, promised: dt.datetime | None) -> OdooOrder:
    value = odoo_datetime(promised) if promised is not None else False
    client().write(MODEL, [odoo_id], {"commitment_date": value})
    return _required(odoo_id)


# --- lines -----------------------------------------------------------------------------------------------------
def _line_commands(order: OdooOrder, wanted: list[LineVals]) -> list[tuple]:
    current = [line for line in order.lines if line.product_id]
    commands, matched = [], set()
    for vals in wanted:
        line = next((l for l in current if l.product_id == vals.odoo_product_id and l.id not in matched), None)
        if line is None:
            commands.append((0, 0, _line(vals)))
            continue
        matched.add(line.id)
        change = _line_change(line, vals)
        if change:
            commands.append((1, line.id, change))
    for line in current:
        if line.id in matched:
            continue
        if order.state == "sale":
            if line.quantity:
                commands.append((1, line.id, {"product_uom_qty": 0.0}))  # Odoo: "set the quantity to 0 instead"
        else:
            commands.append((2, line.id, 0))
    return commands


def _line_change(line: OdooLine, vals: LineVals) -> dict:
    change = {}
    if money(vals.quantity) != line.quantity:
        change["product_uom_qty"] = float(vals.quantity)
    if vals.unit_price is not None and money(vals.unit_price) != line.unit_price:
        change["price_unit"] = float(vals.unit_price)
    if vals.description and vals.description != line.description:
        change["name"] = vals.description
    return change


def _line(line: LineVals) -> dict:
    vals = {"product_id": line.odoo_product_id, "product_uom_qty": float(line.quantity)}
    if line.unit_price is not None:
        vals["price_unit"] = float(line.unit_price)  # an explicit price overrides Odoo's pricing
    if line.description:
        vals["name"] = line.description
    return vals


# --- mapping -------------------------------------------------------------------------------------------------
def _required(odoo_id: int) -> OdooOrder:
    order = read(odoo_id)
    if order is None:
        raise errors.OdooMissingError(f"Odoo has no sales order {odoo_id}")
    return order


def _order_fields() -> list[str]:
    odoo = client()
    return ORDER_FIELDS + present(odoo, MODEL, "commitment_date", "expected_date", "delivery_status")


def _order(row: dict, lines=()) -> OdooOrder:
    promised = when(row.get("commitment_date"))
    return OdooOrder(
        id=row["id"], name=row.get("name") or "", state=row.get("state") or "", origin=row.get("origin") or "",
        amount_untaxed=money(row.get("amount_untaxed")), amount_total=money(row.get("amount_total")),
        amount_tax=money(row.get("amount_tax")), currency=m2o_name(row.get("currency_id")),
        locked=bool(row.get("locked")), receipt_status="", model=MODEL, partner_id=m2o_id(row.get("partner_id")),
        client_ref=row.get("client_order_ref") or "", delivery_status=row.get("delivery_status") or "",
        commitment_date=promised, expected_date=promised or when(row.get("expected_date")), lines=tuple(lines),
    )


def _line_fields() -> list[str]:
    odoo = client()
    return LINE_FIELDS + present(odoo, LINE_MODEL, detect_sale(odoo).line_uom, "qty_delivered")


def _odoo_line(row: dict, uom: str) -> OdooLine:
    return OdooLine(
        id=row["id"], product_id=m2o_id(row.get("product_id")), product_name=m2o_name(row.get("product_id")),
        description=row.get("name") or "", quantity=money(row.get("product_uom_qty")), uom=m2o_name(row.get(uom)),
        unit_price=money(row.get("price_unit")), discount=money(row.get("discount")),
        subtotal=money(row.get("price_subtotal")), tax=money(row.get("price_tax")),
        total=money(row.get("price_total")), done_quantity=money(row.get("qty_delivered")), expected_date=None,
        lead_days=money(row.get("customer_lead")),
    )
