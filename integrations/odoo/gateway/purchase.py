"""Purchase orders (RFQs) in Odoo: `purchase.order` (NOTES.md §3-§6).

The command API (for an outbox of Odoo commands; every command is safe to repeat):
- `find(key)`: the RFQ whose `origin` carries our key, or None. After a maybe-done failure of `create`, this is
  how the caller learns whether Odoo created it.
- `create(key=, partner_id=, lines=, origin=)`: looks the key up first (`look_first`), creates only if absent;
  returns the order as Odoo holds it. Lines without `unit_price` are priced by Odoo (vendor pricelist, then cost).
- `set_lines(odoo_id, lines)`: replaces the lines (clear, then create) in one write; repeating it is harmless.
- `mark_sent(odoo_id)`: draft → sent WITHOUT e-mailing the vendor (below).
- `confirm(odoo_id)`: `button_confirm`; Odoo routes to `purchase` or `to approve` (its own double validation).
- `approve(odoo_id)`: `button_approve` for `to approve` (a silent no-op when the user may not approve).
- `cancel(odoo_id)`: `button_cancel` (returns None: over XML-RPC a fault after the commit, handled by the client).
- `read(odoo_id)`: state, totals, `date_planned` (expected arrival), and per line the received quantity.
Each action re-reads and returns what Odoo now says; none trusts a return value (NOTES §0.4). A maybe-done
failure (`OdooUnavailable.maybe_done`) propagates: repeat the same command, it starts from Odoo's state.

Reaching `sent` without e-mailing the vendor, per version (checked against `addons/purchase/models/
purchase_order.py` of 17.0, 18.0 and 19.0):
- `action_rfq_send` only returns the mail composer's window action; nothing is sent or changed.
- `message_post` is overridden in all three versions: under context `mark_rfq_as_sent` it first moves the draft
  orders to `sent`, then posts. Posted as an internal note (`message_type='comment'`, `subtype_xmlid=
  'mail.mt_note'`) with no recipients, nobody outside the company is notified. It returns the message id, so no
  "cannot marshal None" either. This is what we call.
- `print_quotation` is not used: in 17/18 it writes `state='sent'` whatever the state (it would move a confirmed
  order back to `sent`), only 19 limits it to drafts; and its report action carries a None, which XML-RPC cannot
  marshal (a fault after the commit).
- `write({'state': 'sent'})` works (the field is read-only in the UI only) but skips Odoo's own rule (NOTES §3.4c).
"""

from __future__ import annotations

from integrations.odoo import errors
from integrations.odoo.fields import detect, present
from integrations.odoo.gateway.common import act, client, find_ids, origin_for, read_with_lines
from integrations.odoo.gateway.types import LineVals, OdooLine, OdooOrder, m2o_id, m2o_name, money, when

MODEL = "purchase.order"
LINE_MODEL = "purchase.order.line"
ORDER_FIELDS = ["name", "state", "origin", "partner_id", "amount_untaxed", "amount_total", "currency_id",
                "order_line"]
LINE_FIELDS = ["product_id", "name", "product_qty", "price_unit", "price_subtotal", "price_total", "qty_received",
               "date_planned"]
SENT_NOTE = "Solicitud de cotización enviada al proveedor por el canal de chat."
CONFIRMED = ("to approve", "purchase", "done")


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
        uom = detect(client()).line_uom
        return _order(row, [_odoo_line(line, uom) for line in line_rows])
    rows = client().read(MODEL, [odoo_id], _order_fields())
    return _order(rows[0]) if rows else None


def create(*, key: str, partner_id: int, lines: list[LineVals], origin: str = "",
           look_first: bool = True) -> OdooOrder | None:
    origin = origin_for(key, origin)
    existing = find(key, lines=True) if look_first else None
    if existing is not None:
        return existing
    odoo_id = client().create(MODEL, {"partner_id": partner_id, "origin": origin,
                                      "order_line": [(0, 0, _line(line)) for line in lines]})
    return read(odoo_id) if odoo_id is not None else None  # None: DRY_RUN, nothing was sent


def set_lines(odoo_id: int, lines: list[LineVals]) -> OdooOrder:
    commands = [(5, 0, 0)] + [(0, 0, _line(line)) for line in lines]
    client().write(MODEL, [odoo_id], {"order_line": commands})
    return read(odoo_id)


def mark_sent(odoo_id: int, *, note: str = SENT_NOTE, state: str | None = None) -> OdooOrder:
    """`state`: the order's state as the caller just read it from Odoo (saves reading it again)."""
    if state is None:
        order = _required(odoo_id)
        state = order.state
        if state != "draft":
            return order  # already sent (or further): posting again would only add a note
    elif state != "draft":
        return _required(odoo_id)
    return act(read, odoo_id, lambda: client().call(
        MODEL, "message_post", ids=[odoo_id], body=note, message_type="comment", subtype_xmlid="mail.mt_note",
        context={"mark_rfq_as_sent": True}), done=lambda o: o.state != "draft")


def confirm(odoo_id: int) -> OdooOrder:
    return act(read, odoo_id, lambda: client().button(MODEL, "button_confirm", [odoo_id]),
               done=lambda o: o.state in CONFIRMED)


def approve(odoo_id: int) -> OdooOrder:
    return act(read, odoo_id, lambda: client().button(MODEL, "button_approve", [odoo_id]),
               done=lambda o: o.state in ("purchase", "done"))


def cancel(odoo_id: int) -> OdooOrder:
    return act(read, odoo_id, lambda: client().button(MODEL, "button_cancel", [odoo_id]),
               done=lambda o: o.state == "cancel")


# --- the calls the orders app made before the command API (same Odoo calls, same results) ------------------
def order_find_by_origin(origin_key: str) -> OdooOrder | None:
    rows = client().search_read(MODEL, [("origin", "ilike", origin_key)], _order_fields(), limit=1)
    return _order(rows[0]) if rows else None


def order_create(*, partner_id: int, origin: str, lines: list[LineVals]) -> int | None:
    """The RFQ with its lines in ONE create call."""
    vals = {"partner_id": partner_id, "origin": origin, "order_line": [(0, 0, _line(line)) for line in lines]}
    return client().create(MODEL, vals)


def order_set_lines(odoo_id: int, lines: list[LineVals]) -> OdooOrder:
    """Replace the lines (5 = clear, then 0 = create) in one write, then re-read."""
    commands = [(5, 0, 0)] + [(0, 0, _line(line)) for line in lines]
    client().write(MODEL, [odoo_id], {"order_line": commands})
    return order_read(odoo_id)


def order_read(odoo_id: int) -> OdooOrder | None:
    return read(odoo_id, lines=False)


def order_button(odoo_id: int, button: str) -> OdooOrder | None:
    client().button(MODEL, button, [odoo_id])
    return order_read(odoo_id)


# --- mapping -------------------------------------------------------------------------------------------------
def _required(odoo_id: int) -> OdooOrder:
    order = read(odoo_id, lines=False)
    if order is None:
        raise errors.OdooMissingError(f"Odoo has no purchase order {odoo_id}")
    return order


def _line(line: LineVals) -> dict:
    vals = {"product_id": line.odoo_product_id, "product_qty": float(line.quantity)}
    if line.unit_price is not None:
        vals["price_unit"] = float(line.unit_price)
    if line.description:
        vals["name"] = line.description
    return vals


def _order_fields() -> list[str]:
    names = detect(client())
    extra = (["locked"] if names.has_locked_flag else []) + (["receipt_status"] if names.has_receipt_status else [])
    return ORDER_FIELDS + ["amount_tax"] + (["date_planned"] if names.has_date_planned else []) + extra


def _order(row: dict, lines=()) -> OdooOrder:
    return OdooOrder(
        id=row["id"], name=row.get("name") or "", state=row.get("state") or "", origin=row.get("origin") or "",
        amount_untaxed=money(row.get("amount_untaxed")), amount_total=money(row.get("amount_total")),
        amount_tax=money(row.get("amount_tax")), currency=m2o_name(row.get("currency_id")),
        locked=bool(row.get("locked")) or row.get("state") == "done",
        receipt_status=row.get("receipt_status") or "", model=MODEL, partner_id=m2o_id(row.get("partner_id")),
        expected_date=when(row.get("date_planned")), lines=tuple(lines),
    )


def _line_fields() -> list[str]:
    odoo = client()
    return LINE_FIELDS + present(odoo, LINE_MODEL, detect(odoo).line_uom, "price_tax", "discount")


def _odoo_line(row: dict, uom: str) -> OdooLine:
    return OdooLine(
        id=row["id"], product_id=m2o_id(row.get("product_id")), product_name=m2o_name(row.get("product_id")),
        description=row.get("name") or "", quantity=money(row.get("product_qty")), uom=m2o_name(row.get(uom)),
        unit_price=money(row.get("price_unit")), discount=money(row.get("discount")),
        subtotal=money(row.get("price_subtotal")), tax=money(row.get("price_tax")),
        total=money(row.get("price_total")), done_quantity=money(row.get("qty_received")),
        expected_date=when(row.get("date_planned")), lead_days=money(0),
    )
