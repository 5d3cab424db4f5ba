"""Sale mode: a quote line above the stock available now was asked about (the quote notice's second message):
"what is available now, or the whole line later?". The answer changes the order like any other change, as an
`OrderChange` for the turn's commit: the line cut to what is available (or dropped when nothing is), which Odoo
prices and the contact gets quoted again; or the line kept whole and marked to wait for stock."""

from __future__ import annotations

from decimal import Decimal

from agents.lanes.base import AgentResult, Reply
from agents.lanes.options import match_option
from agents.lanes.purchase import texts
from agents.lanes.purchase.changes import EDITABLE, Context, decide_lines
from agents.lanes.purchase.replies import result_patch
from orders.models import PurchaseOrder, PurchaseOrderLine
from orders.services import LineInput, OrderChange
from orders.services.common import result


def answer_stock(ctx: Context, pending: dict) -> AgentResult | None:
    """None when the text is not one of the options, or the quote it asked about has changed since."""
    choice = match_option(ctx.turn.text, pending.get("options") or [])
    order = ctx.order
    if choice is None or not _still_asked(order, pending):
        return None
    line = next((l for l in order.lines.all() if l.product.default_code == pending.get("code")), None)
    if line is None:
        return None
    if choice == texts.STOCK_LATER:
        return _wait(order, line)
    current = {l.product.default_code: l.quantity for l in order.lines.all()}
    wanted = dict(current)
    available = line.product.available
    if choice == texts.STOCK_NOW and available > 0:
        wanted[line.product.default_code] = min(Decimal(available), line.quantity)
    else:
        wanted.pop(line.product.default_code)
    if not wanted:
        return AgentResult([Reply(texts.text("would_be_empty", name=order.display_name),
                                  [{"title": "Cancelar pedido", "value": "cancelar"}])], result_patch(order))
    return decide_lines(ctx, wanted, notes=[], current=current)


def _still_asked(order: PurchaseOrder | None, pending: dict) -> bool:
    return (order is not None and order.pk == pending.get("order_id") and order.state in EDITABLE
            and order.lines_version == pending.get("version"))


def _wait(order: PurchaseOrder, line: PurchaseOrderLine) -> AgentResult:
    """The whole line later: nothing for Odoo to change now; the next short line is asked about, else the quote's
    own question again."""
    change = OrderChange("wait_for_stock", order_id=order.pk, base_version=order.lines_version,
                         lines=(LineInput(product_code=line.product.default_code, quantity=line.quantity),))
    said = texts.text("stock_waits", wanted=texts.amount(line.quantity, line.uom), product=line.product.name)
    others = [l for l in texts.short_lines(result(order, "")) if l.product_code != line.product.default_code]
    if not others:
        return AgentResult([Reply(f"{said}\n{texts.text('confirm_question')}", list(texts.QUOTE_OPTIONS))],
                           result_patch(order), order=change)
    question, options = texts.stock_question(others[0])
    pending = {"text": question, "options": options, "kind": "purchase_stock", "intent": "order_modify",
               "order_id": order.pk, "version": order.lines_version, "code": others[0].product_code}
    return AgentResult([Reply(said), Reply(question, options)], result_patch(order, pending), order=change)
