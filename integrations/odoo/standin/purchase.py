"""The purchase behaviour of the stand-in: RFQ creation with lines, amounts, the buttons and their odd returns.

Behaviour written from NOTES.md §3, §6 and §8 (not from Odoo's code):
- `button_confirm` → True, acts only on draft/sent; the company's double-validation rule routes to
  `to approve` unless one_step, amount under the threshold, or the user is a purchase manager.
- `button_approve` → {} and silently skips orders the user may not approve.
- `button_cancel` → None (the RPC layer turns that into the "cannot marshal None" fault AFTER the change).
- `button_draft` → {}. 17/18: `done` when the company locks confirmed orders; 19: `locked=True` instead.
"""

from __future__ import annotations

from integrations.odoo.standin import errors
from integrations.odoo.standin.store import Store, now_str

IVA = 0.19


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
        self.apply_line_commands(order, lines)
        return oid

    def po_write(self: Store, ids, vals: dict) -> bool:
        vals = dict(vals)
        lines = vals.pop("order_line", None)
        ids = [ids] if isinstance(ids, int) else list(ids)
        self.write("purchase.order", ids, vals)
        for oid in ids:
            if lines is not None:
                self.apply_line_commands(self.get("purchase.order", oid), lines)
            self.recompute(oid)
        return True

    def apply_line_commands(self: Store, order: dict, commands: list) -> None:
        for command in commands:
            code = command[0]
            if code == 0:
                self.line_create(order, command[2])
            elif code == 1:
                self.line_update(order, command[1], command[2])
            elif code in (2, 3):
                self.line_delete(order, command[1])
            elif code == 5:
                for lid in self.one2many("purchase.order", order["id"], "order_line"):
                    self.line_delete(order, lid)
            else:
                raise errors.ValidationError(f"Unsupported one2many command {command!r}")
        self.recompute(order["id"])

    def line_create(self: Store, order: dict, vals: dict) -> int:
        if order["state"] in ("purchase", "done", "cancel"):
            raise errors.UserError("You cannot add lines to a confirmed or cancelled purchase order.")
        vals = dict(vals)
        if vals.get("product_id"):
            product = self.get("product.product", vals["product_id"])
            qty = float(vals.setdefault("product_qty", 1.0))
            vals.setdefault("name", product["name"])
            vals.setdefault("price_unit", self.vendor_price(product, order["partner_id"], qty))
            vals.setdefault(self.names["line_uom"], product["uom_id"])
            vals.setdefault(self.names["line_taxes"], [1])
        elif self.version >= 19:
            pass  # 19 refuses on confirm, not on create (NOTES §3.3)
        vals.setdefault("date_planned", order["date_order"])
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

    def vendor_price(self: Store, product: dict, partner_id: int, qty: float) -> float:
        sellers = [s for s in self.tables["product.supplierinfo"].values()
                   if s["product_id"] == product["id"] and s["partner_id"] == partner_id and
                   float(s.get("min_qty") or 0) <= qty]
        sellers.sort(key=lambda s: (s.get("sequence") or 0, s["id"]))
        return float(sellers[0]["price"]) if sellers else float(product["standard_price"] or 0)

    def recompute(self: Store, oid: int) -> None:
        order = self.tables["purchase.order"][oid]
        untaxed = tax = 0.0
        for lid in self.one2many("purchase.order", oid, "order_line"):
            line = self.tables["purchase.order.line"][lid]
            subtotal = round(float(line["product_qty"] or 0) * float(line["price_unit"] or 0), 2)
            line_tax = round(subtotal * IVA, 2) if line.get(self.names["line_taxes"]) else 0.0
            line.update(price_subtotal=subtotal, price_total=subtotal + line_tax)
            untaxed, tax = untaxed + subtotal, tax + line_tax
        order.update(amount_untaxed=untaxed, amount_tax=tax, amount_total=round(untaxed + tax, 2))

    # --- buttons ---------------------------------------------------------------------------------------------
    def button_confirm(self: Store, uid: int, ids) -> bool:
        for order in self._orders(ids):
            if order["state"] not in ("draft", "sent"):
                continue  # silently skipped, still True
            lines = [self.tables["purchase.order.line"][i] for i in self.one2many("purchase.order", order["id"], "order_line")]
            if self.version >= 19 and any(not line.get("product_id") for line in lines):
                raise errors.UserError("Some order lines are missing a product, you need to correct them before going further.")
            if self.approval_allowed(uid, order):
                self._approve(order)
            else:
                order["state"] = "to approve"
        return True

    def button_approve(self: Store, uid: int, ids) -> dict:
        for order in self._orders(ids):
            if order["state"] in ("draft", "sent", "to approve") and self.approval_allowed(uid, order):
                self._approve(order)
        return {}

    def button_cancel(self: Store, uid: int, ids) -> None:
        for order in self._orders(ids):
            if self.version >= 19 and order.get("locked"):
                raise errors.UserError("Unable to cancel this purchase order. You must first unlock the order.")
            if order.get("receipt_status") == "full":
                raise errors.UserError("Unable to cancel purchase order: the goods have already been received.")
        for order in self._orders(ids):
            order["state"] = "cancel"
        return None

    def button_draft(self: Store, uid: int, ids) -> dict:
        for order in self._orders(ids):
            order["state"] = "draft"
        return {}

    def button_done(self: Store, uid: int, ids) -> None:
        if self.version >= 19:
            raise errors.ServerFault("AttributeError: The method 'purchase.order.button_done' does not exist")
        for order in self._orders(ids):
            order["state"] = "done"
        return None

    def button_unlock(self: Store, uid: int, ids) -> None:
        for order in self._orders(ids):
            if self.version >= 19:
                order["locked"] = False
            elif order["state"] == "done":
                order["state"] = "purchase"
        return None

    def approval_allowed(self: Store, uid: int, order: dict) -> bool:
        company = self.tables["res.company"][1]
        user = self.tables["res.users"].get(uid, {})
        return (company["po_double_validation"] == "one_step"
                or float(order["amount_total"]) < float(company["po_double_validation_amount"])
                or bool(user.get("purchase_manager")))

    def _approve(self: Store, order: dict) -> None:
        order.update(state="purchase", date_approve=now_str(), receipt_status="pending")
        if self.tables["res.company"][1]["po_lock"] == "lock":
            if self.version >= 19:
                order["locked"] = True
            else:
                order["state"] = "done"

    def _orders(self: Store, ids) -> list[dict]:
        return [self.get("purchase.order", i) for i in ([ids] if isinstance(ids, int) else ids)]

    # --- warehouse (not an RPC method: the test/demo hook for "the goods arrived") -------------------------
    def receive(self: Store, oid: int) -> None:
        order = self.get("purchase.order", oid)
        if order["state"] not in ("purchase", "done"):
            raise errors.UserError("Only confirmed orders can be received.")
        for lid in self.one2many("purchase.order", oid, "order_line"):
            line = self.tables["purchase.order.line"][lid]
            line["qty_received"] = line["product_qty"]
            product = self.tables["product.product"].get(line["product_id"])
            if product:
                product["qty_available"] = float(product["qty_available"] or 0) + float(line["product_qty"])
        order["receipt_status"] = "full"
