"""The purchase behaviour of the stand-in: RFQ creation with lines, amounts, the buttons and their odd returns.

Behaviour written from NOTES.md §3, §6 and §8 (not from Odoo's code):
- `button_confirm` → True, acts only on draft/sent; the company's double-validation rule routes to
  `to approve` unless one_step, amount under the threshold, or the user is a purchase manager.
- `button_approve` → {} and silently skips orders the user may not approve.
- `button_cancel` → None (the RPC layer turns that into the "cannot marshal None" fault AFTER the change).
- `button_draft` → {}. 17/18: `done` when the company locks confirmed orders; 19: `locked=True` instead.
- `message_post` with context `mark_rfq_as_sent` moves drafts to `sent` before posting (17/18/19 alike); it
  returns the new message's id. That is how an RFQ reaches `sent` without e-mailing the vendor.
- Lines: `date_planned` = order date + the vendor's lead time; the order's `date_planned` is the earliest line's.
- `receive(order_id, {line_id: qty})` is the warehouse validating a receipt (a test hook, not an RPC method).
"""

from __future__ import annotations

from integrations.odoo.standin import errors
from integrations.odoo.standin.store import Store, add_days, now_str

IVA = 0.19
PURCHASE_TAX_ID = 1  # the seeded "IVA 19% Compra", the company's default purchase tax


def apply_commands(store: Store, order: dict, commands: list, *, model: str, create, update, delete) -> None:
    """Odoo's one2many commands on `order`'s lines: (0, 0, vals), (1, id, vals), (2|3, id), (5,)."""
    for command in commands:
        code = command[0]
        if code == 0:
            create(order, command[2])
        elif code == 1:
            update(order, command[1], command[2])
        elif code in (2, 3):
            delete(order, command[1])
        elif code == 5:
            for lid in store.one2many(model, order["id"], "order_line"):
                delete(order, lid)
        else:
            raise errors.ValidationError(f"Unsupported one2many command {command!r}")


class PurchaseMixin:
    # --- create / write with one2many commands ---------------------------------------------------------------
    def po_create(self: Store, uid: int, vals: dict) -> int:
        vals = dict(vals)
        lines = vals.pop("order_line", []) or []
        if not vals.get("partner_id"):
            raise errors.ValidationError(
                "The operation cannot be completed: Missing required fields on purchase.order: partner_id")
        self.get("res.partner", vals["partner_id"])
        company = self.get("res.company", 1)
        vals.setdefault("currency_id", company["currency_id"])
        vals.setdefault("date_order", now_str())
        vals.setdefault("user_id", uid)
        vals.setdefault("company_id", 1)
        oid = self.create("purchase.order", vals)
        order = self.tables["purchase.order"][oid]
        order.update(state="draft", name=f"P{oid:05d}", receipt_status=False)
        if self.version >= 19:
            order["locked"] = False
        self.po_apply_lines(order, lines)
        return oid

    def po_write(self: Store, ids, vals: dict) -> bool:
        vals = dict(vals)
        lines = vals.pop("order_line", None)
        ids = [ids] if isinstance(ids, int) else list(ids)
        self.write("purchase.order", ids, vals)
        for oid in ids:
            if lines is not None:
                self.po_apply_lines(self.get("purchase.order", oid), lines)
            self.recompute(oid, keep_date_planned="date_planned" in vals and lines is None)
        return True

    def po_apply_lines(self: Store, order: dict, commands: list) -> None:
        apply_commands(self, order, commands, model="purchase.order", create=self.line_create,
                       update=self.line_update, delete=self.line_delete)
        self.recompute(order["id"])

    def line_create(self: Store, order: dict, vals: dict) -> int:
        if order["state"] in ("purchase", "done", "cancel"):
            raise errors.UserError("You cannot add lines to a confirmed or cancelled purchase order.")
        vals = dict(vals)
        seller = None
        if vals.get("product_id"):
            product = self.get("product.product", vals["product_id"])
            qty = float(vals.setdefault("product_qty", 1.0))
            seller = self.seller_for(product, order["partner_id"], qty)
            vals.setdefault("name", product["name"])
            vals.setdefault("price_unit", float(seller["price"]) if seller else float(product["standard_price"] or 0))
            vals.setdefault(self.names["line_uom"], product["uom_id"])
            vals.setdefault(self.names["line_taxes"], list(product.get("supplier_taxes_id") or [PURCHASE_TAX_ID]))
        # 19 refuses a line without a product on confirm, not on create (NOTES §3.3).
        vals.setdefault("date_planned", add_days(order["date_order"], seller["delay"] if seller else 0))
        vals["order_id"] = order["id"]
        return self.create("purchase.order.line", vals)

    def line_update(self: Store, order: dict, lid: int, vals: dict) -> None:
        line = self.get("purchase.order.line", lid)
        line.update(self.clean("purchase.order.line", vals))

    def line_delete(self: Store, order: dict, lid: int) -> None:
        if order["state"] in ("purchase", "done"):
            raise errors.UserError(
                f"Cannot delete a purchase order line which is in state '{order['state']}'.")
        self.tables["purchase.order.line"].pop(lid, None)

    def seller_for(self: Store, product: dict, partner_id: int, qty: float) -> dict | None:
        sellers = [s for s in self.tables["product.supplierinfo"].values()
                   if s["product_id"] == product["id"] and s["partner_id"] == partner_id and
                   float(s.get("min_qty") or 0) <= qty]
        sellers.sort(key=lambda s: (s.get("sequence") or 0, s["id"]))
        return sellers[0] if sellers else None

    def recompute(self: Store, oid: int, *, keep_date_planned: bool = False) -> None:
        order = self.tables["purchase.order"][oid]
        untaxed = tax = 0.0
        lines = self.children("purchase.order", oid, "order_line")
        for line in lines:
            subtotal = round(float(line["product_qty"] or 0) * float(line["price_unit"] or 0), 2)
            line_tax = round(subtotal * IVA, 2) if line.get(self.names["line_taxes"]) else 0.0
            line.update(price_subtotal=subtotal, price_tax=line_tax, price_total=subtotal + line_tax)
            untaxed, tax = untaxed + subtotal, tax + line_tax
        order.update(amount_untaxed=untaxed, amount_tax=tax, amount_total=round(untaxed + tax, 2))
        if not keep_date_planned:
            # Stored compute: the earliest line date, written over by any line change (a direct write survives).
            order["date_planned"] = min((l["date_planned"] for l in lines if l.get("date_planned")), default=False)
        self._receipt_status(order, lines)

    def _receipt_status(self: Store, order: dict, lines: list[dict]) -> None:
        if order["state"] not in ("purchase", "done") or not lines:
            order["receipt_status"] = False
        elif all(float(l["qty_received"] or 0) >= float(l["product_qty"] or 0) for l in lines):
            order["receipt_status"] = "full"
        elif any(float(l["qty_received"] or 0) for l in lines):
            order["receipt_status"] = "partial"
        else:
            order["receipt_status"] = "pending"

    # --- buttons ---------------------------------------------------------------------------------------------
    def button_confirm(self: Store, uid: int, ids, **_) -> bool:
        for order in self._orders(ids):
            if order["state"] not in ("draft", "sent"):
                continue  # silently skipped, still True
            lines = self.children("purchase.order", order["id"], "order_line")
            if self.version >= 19 and any(not line.get("product_id") for line in lines):
                raise errors.UserError("Some order lines are missing a product, you need to correct them before going further.")
            if self.approval_allowed(uid, order):
                self._approve(order)
            else:
                order["state"] = "to approve"
        return True

    def button_approve(self: Store, uid: int, ids, **_) -> dict:
        for order in self._orders(ids):
            if order["state"] in ("draft", "sent", "to approve") and self.approval_allowed(uid, order):
                self._approve(order)
        return {}

    def button_cancel(self: Store, uid: int, ids, **_) -> None:
        for order in self._orders(ids):
            if self.version >= 19 and order.get("locked"):
                raise errors.UserError("Unable to cancel this purchase order. You must first unlock the order.")
            if order.get("receipt_status") == "full":
                raise errors.UserError("Unable to cancel purchase order: the goods have already been received.")
        for order in self._orders(ids):
            order["state"] = "cancel"
            self.recompute(order["id"], keep_date_planned=True)
        return None

    def button_draft(self: Store, uid: int, ids, **_) -> dict:
        for order in self._orders(ids):
            order["state"] = "draft"
        return {}

    def button_done(self: Store, uid: int, ids, **_) -> None:
        for order in self._orders(ids):
            order["state"] = "done"
        return None

    def button_unlock(self: Store, uid: int, ids, **_) -> None:
        for order in self._orders(ids):
            if self.version >= 19:
                order["locked"] = False
            elif order["state"] == "done":
                order["state"] = "purchase"
        return None

    def button_lock(self: Store, uid: int, ids, **_) -> None:
        for order in self._orders(ids):
            order["locked"] = True
        return None

    def po_message_post(self: Store, uid: int, ids, *, context: dict, **kwargs) -> int:
        orders = self._orders(ids)
        if context.get("mark_rfq_as_sent"):
            for order in orders:
                if order["state"] == "draft":
                    order["state"] = "sent"
        return self.post_message("purchase.order", orders, uid, **kwargs)

    def approval_allowed(self: Store, uid: int, order: dict) -> bool:
        company = self.tables["res.company"][1]
        user = self.tables["res.users"].get(uid, {})
        return (company["po_double_validation"] == "one_step"
                or float(order["amount_total"]) < float(company["po_double_validation_amount"])
                or bool(user.get("purchase_manager")))

    def _approve(self: Store, order: dict) -> None:
        order.update(state="purchase", date_approve=now_str())
        if self.tables["res.company"][1]["po_lock"] == "lock":
            if self.version >= 19:
                order["locked"] = True
            else:
                order["state"] = "done"
        self.recompute(order["id"], keep_date_planned=True)

    def _orders(self: Store, ids) -> list[dict]:
        return [self.get("purchase.order", i) for i in ([ids] if isinstance(ids, int) else ids)]

    # --- warehouse (not an RPC method: the test/demo hook for "the goods arrived") -------------------------
    def receive(self: Store, oid: int, quantities: dict[int, float] | None = None) -> dict:
        """Validate a receipt: `quantities` {line_id: qty} more received, or everything still due."""
        with self.lock:
            order = self.get("purchase.order", oid)
            if order["state"] not in ("purchase", "done"):
                raise errors.UserError("Only confirmed orders can be received.")
            for line in self.children("purchase.order", oid, "order_line"):
                due = float(line["product_qty"] or 0) - float(line["qty_received"] or 0)
                qty = due if quantities is None else float(line_qty(quantities, line["id"]))
                line["qty_received"] = float(line["qty_received"] or 0) + qty
                self._stock_moved(line.get("product_id"), qty)
            self.recompute(oid, keep_date_planned=True)
            self.changed()
            return order

    def _stock_moved(self: Store, product_id, qty: float) -> None:
        product = self.tables["product.product"].get(product_id)
        if product and qty:
            for name in ("qty_available", "free_qty", "virtual_available"):
                product[name] = float(product.get(name) or 0) + qty


def line_qty(quantities: dict, line_id: int) -> float:
    """JSON object keys are strings: accept both."""
    return quantities.get(line_id, quantities.get(str(line_id), 0)) or 0
