"""The sale behaviour of the stand-in: quotations with priced lines, confirmation, cancel per version, deliveries.

Written from NOTES.md §11 and the 17.0/19.0 sources it cites (behaviour, not code):
- `create`: name S00001…, invoice/delivery addresses default to the customer, the pricelist to the customer's;
  a line's `price_unit` comes from the pricelist rule (fixed price, or a percentage off the list price) or the
  product's `lst_price` when not given; taxes from the product's sales taxes; `customer_lead` from its lead time.
- `action_confirm` → True; refuses an order not in draft/sent (17/18 name the orders, 19 does not).
- `action_quotation_sent` → None (XML-RPC: the "cannot marshal None" fault AFTER saving); drafts only.
- `action_cancel`: 19 cancels and returns True; 17/18 cancel a draft at once but answer a sent or confirmed order
  with the `sale.order.cancel` wizard action, unless context `disable_cancel_warning` is set. Locked: refused.
- Writes: a confirmed line cannot be removed ("set the quantity to 0"); a locked order refuses edits of its lines'
  protected fields; a line without a product violates the accountable-line constraint.
- `deliver(order_id, {line_id: qty})` is the warehouse validating a delivery (a test hook, not an RPC method).
"""

from __future__ import annotations

from integrations.odoo.standin import errors
from integrations.odoo.standin.purchase import IVA, line_qty, apply_commands
from integrations.odoo.standin.store import Store, add_days, now_str

NO_PRODUCT = "The operation cannot be completed: Missing required fields on accountable sale order line."
CONFIRMED_LINE = ("Once a sales order is confirmed, you can't remove one of its lines (we need to track if "
                  "something gets invoiced or delivered).\nSet the quantity to 0 instead.")
NOT_DRAFT_SENT = "Only draft orders can be marked as sent directly."
LOCKED_CANCEL = "You cannot cancel a locked order. Please unlock it first."
MISSING_PRODUCT = "Some order lines are missing a product, you need to correct them before going further."
CANCEL_WIZARD_VIEW_ID = 1468  # `sale.sale_order_cancel_view_form`: any stable id, the client never opens it
CANCEL_TEMPLATE_ID = 23  # `sale.mail_template_sale_cancellation`


class SaleMixin:
    # --- create / write --------------------------------------------------------------------------------------
    def so_create(self: Store, uid: int, vals: dict) -> int:
        vals = dict(vals)
        lines = vals.pop("order_line", []) or []
        if not vals.get("partner_id"):
            raise errors.ValidationError(
                "The operation cannot be completed: Missing required fields on sale.order: partner_id")
        partner = self.get("res.partner", vals["partner_id"])
        company = self.get("res.company", 1)
        vals.setdefault("date_order", now_str())
        for address in ("partner_invoice_id", "partner_shipping_id"):
            vals.setdefault(address, partner["id"])
        vals.setdefault("pricelist_id", partner.get("property_product_pricelist") or False)
        vals.setdefault("currency_id", self._pricelist_currency(vals["pricelist_id"]) or company["currency_id"])
        vals.setdefault("validity_date", add_days(vals["date_order"], company["quotation_validity_days"] or 30)[:10])
        vals.update(user_id=vals.get("user_id") or uid, company_id=1)
        oid = self.create("sale.order", vals)
        order = self.tables["sale.order"][oid]
        order.update(state="draft", name=f"S{oid:05d}", locked=False, invoice_status="no", delivery_status=False)
        self.so_apply_lines(order, lines)
        return oid

    def so_write(self: Store, ids, vals: dict) -> bool:
        vals = dict(vals)
        lines = vals.pop("order_line", None)
        orders = self._sale_orders(ids)
        if "pricelist_id" in vals and any(o["state"] == "sale" for o in orders):
            raise errors.UserError("You cannot change the pricelist of a confirmed order !")
        self.write("sale.order", [o["id"] for o in orders], vals)
        for order in orders:
            if lines is not None:
                self.so_apply_lines(order, lines)
            self.so_recompute(order["id"])
        return True

    def so_apply_lines(self: Store, order: dict, commands: list) -> None:
        apply_commands(self, order, commands, model="sale.order", create=self.so_line_create,
                       update=self.so_line_update, delete=self.so_line_delete)
        self.so_recompute(order["id"])

    def so_line_create(self: Store, order: dict, vals: dict) -> int:
        vals = dict(vals, order_id=order["id"])
        if not vals.get("product_id") and not vals.get("display_type"):
            raise errors.ValidationError(NO_PRODUCT)
        if vals.get("product_id"):
            self._sale_line_defaults(order, vals)
        vals.update(state=order["state"], qty_delivered=0.0)
        lid = self.create("sale.order.line", vals)
        if order["state"] == "sale":
            self._reserve(self.tables["sale.order.line"][lid], float(vals["product_uom_qty"]))
        return lid

    def _sale_line_defaults(self: Store, order: dict, vals: dict) -> None:
        product = self.get("product.product", vals["product_id"])
        qty = float(vals.setdefault("product_uom_qty", 1.0))
        code = f"[{product['default_code']}] " if product.get("default_code") else ""
        vals.setdefault("name", code + product["name"] + (f"\n{product['description_sale']}"
                                                          if product.get("description_sale") else ""))
        vals.setdefault(self.names["sale_line_uom"], product["uom_id"])
        vals.setdefault(self.names["sale_line_taxes"], list(product.get("taxes_id") or []))
        vals.setdefault("customer_lead", float(product.get("sale_delay") or 0))
        if "price_unit" not in vals:
            vals["price_unit"], computed_discount = self.sale_price(product, order, qty)
            vals.setdefault("discount", computed_discount)
        vals.setdefault("discount", 0.0)

    def so_line_update(self: Store, order: dict, lid: int, vals: dict) -> None:
        line = self.get("sale.order.line", lid)
        self._check_line_edit(order, line, vals)
        old_qty = float(line["product_uom_qty"] or 0)
        line.update(self.clean("sale.order.line", vals))
        if "product_uom_qty" in vals and "price_unit" not in vals and line.get("product_id") \
                and not float(line["qty_invoiced"] or 0):
            # price_unit is a stored compute on the quantity: a new quantity can hit another pricelist rule.
            product = self.get("product.product", line["product_id"])
            line["price_unit"], line["discount"] = self.sale_price(product, order, float(line["product_uom_qty"]))
        if order["state"] == "sale":
            self._reserve(line, float(line["product_uom_qty"] or 0) - old_qty)

    def _check_line_edit(self: Store, order: dict, line: dict, vals: dict) -> None:
        protected = self._protected_line_fields()
        touched = [name for name in protected if name in vals]
        if order.get("locked") and touched:
            labels = "\n".join(self.fields["sale.order.line"][name]["string"] for name in touched)
            raise errors.UserError(f"It is forbidden to modify the following fields in a locked order:\n{labels}")
        if "product_id" in vals and vals["product_id"] != line["product_id"] and (
                order["state"] == "cancel" or order["state"] == "sale" and float(line["qty_delivered"] or 0) > 0):
            raise errors.UserError("You cannot modify the product of this order line.")

    def _protected_line_fields(self: Store) -> list[str]:
        fields = ["product_id", "name", "price_unit", self.names["sale_line_uom"], "product_uom_qty",
                  self.names["sale_line_taxes"]]
        return fields + (["discount"] if self.version >= 19 else [])

    def so_line_delete(self: Store, order: dict, lid: int) -> None:
        line = self.get("sale.order.line", lid)
        if order["state"] == "sale" and not line.get("display_type"):
            raise errors.UserError(CONFIRMED_LINE)
        self.tables["sale.order.line"].pop(lid)

    # --- prices and amounts ----------------------------------------------------------------------------------
    def sale_price(self: Store, product: dict, order: dict, qty: float) -> tuple[float, float]:
        """(price_unit, discount) for the order's pricelist; the list price when no rule applies."""
        base = float(product.get("lst_price") or 0)
        rule = self._pricelist_rule(order.get("pricelist_id"), product, qty)
        if rule is None:
            return base, 0.0
        if rule["compute_price"] == "fixed":
            return float(rule["fixed_price"] or 0), 0.0
        percent = float(rule["percent_price"] or 0)
        pricelist = self.tables["product.pricelist"][rule["pricelist_id"]]
        if pricelist.get("discount_policy") == "without_discount":
            return base, percent  # 17: the list price and a visible discount
        return round(base * (1 - percent / 100), 2), 0.0

    def _pricelist_rule(self: Store, pricelist_id, product: dict, qty: float) -> dict | None:
        if not pricelist_id:
            return None
        applies = {"0_product_variant": lambda r: r.get("product_id") == product["id"],
                   "1_product": lambda r: r.get("product_tmpl_id") == product.get("product_tmpl_id"),
                   "3_global": lambda r: True}
        rules = [r for r in self.children("product.pricelist", pricelist_id, "item_ids")
                 if applies.get(r.get("applied_on") or "3_global", lambda r: False)(r)
                 and float(r.get("min_quantity") or 0) <= qty and r.get("compute_price") in ("fixed", "percentage")]
        # Odoo takes the most specific rule first (variant, product, then global), then the largest minimum.
        rules.sort(key=lambda r: (r.get("applied_on") or "3_global", -float(r.get("min_quantity") or 0), r["id"]))
        return rules[0] if rules else None

    def _pricelist_currency(self: Store, pricelist_id):
        return self.tables["product.pricelist"][pricelist_id]["currency_id"] if pricelist_id else False

    def so_recompute(self: Store, oid: int) -> None:
        order = self.tables["sale.order"][oid]
        lines = self.children("sale.order", oid, "order_line")
        untaxed = tax = 0.0
        for line in lines:
            price = float(line["price_unit"] or 0) * (1 - float(line["discount"] or 0) / 100)
            subtotal = round(float(line["product_uom_qty"] or 0) * price, 2)
            line_tax = round(subtotal * IVA, 2) if line.get(self.names["sale_line_taxes"]) else 0.0
            line.update(price_subtotal=subtotal, price_tax=line_tax, price_total=subtotal + line_tax,
                        state=order["state"])
            untaxed, tax = untaxed + subtotal, tax + line_tax
        order.update(amount_untaxed=untaxed, amount_tax=tax, amount_total=round(untaxed + tax, 2),
                     expected_date=self._expected_date(order, lines))
        order["delivery_status"] = self._delivery_status(order, lines)

    def _expected_date(self: Store, order: dict, lines: list[dict]):
        # A quotation promises from now; a confirmed order from its confirmation date (sale's line _expected_date).
        start = order["date_order"] if order["state"] == "sale" else now_str()
        leads = [float(l["customer_lead"] or 0) for l in lines if l.get("product_id")]
        return add_days(start, min(leads)) if leads else False

    def _delivery_status(self: Store, order: dict, lines: list[dict]):
        goods = [l for l in lines if l.get("product_id")]
        delivered = [float(l["qty_delivered"] or 0) for l in goods]
        if order["state"] == "cancel":
            return "full" if any(delivered) else False  # the done pickings stay, the others are cancelled
        if order["state"] != "sale" or not goods:
            return False
        if all(float(l["qty_delivered"] or 0) >= float(l["product_uom_qty"] or 0) for l in goods):
            return "full"
        return "partial" if any(delivered) else "pending"

    # --- actions ---------------------------------------------------------------------------------------------
    def action_confirm(self: Store, uid: int, ids, **_) -> bool:
        orders = self._sale_orders(ids)
        if any(o["state"] not in ("draft", "sent") for o in orders):
            if self.version >= 19:
                raise errors.UserError("Some orders are not in a state requiring confirmation.")
            names = ", ".join(o["name"] for o in orders)
            raise errors.UserError(f"The following orders are not in a state requiring confirmation: {names}")
        lock = bool(self.tables["res.company"][1].get("sale_lock_confirmed"))
        for order in orders:
            lines = self.children("sale.order", order["id"], "order_line")
            if self.version >= 19 and any(not l.get("product_id") and not l.get("display_type") for l in lines):
                raise errors.UserError(MISSING_PRODUCT)
            order.update(state="sale", date_order=now_str(), locked=lock)
            for line in lines:
                self._reserve(line, float(line["product_uom_qty"] or 0))
            self.so_recompute(order["id"])
        return True

    def action_quotation_sent(self: Store, uid: int, ids, **_) -> None:
        orders = self._sale_orders(ids)
        if any(o["state"] != "draft" for o in orders):
            raise errors.UserError(NOT_DRAFT_SENT)
        for order in orders:
            order["state"] = "sent"
            self.so_recompute(order["id"])
        return None

    def action_cancel(self: Store, uid: int, ids, *, context: dict, **_):
        orders = self._sale_orders(ids)
        if any(o.get("locked") for o in orders):
            raise errors.UserError(LOCKED_CANCEL)
        warn = self.version < 19 and not context.get("disable_cancel_warning")
        if warn and any(o["state"] != "draft" for o in orders):
            return self._cancel_wizard(orders)
        for order in orders:
            self._release(order)
            order["state"] = "cancel"
            self.so_recompute(order["id"])
        return True

    def _cancel_wizard(self: Store, orders: list[dict]) -> dict:
        if len(orders) != 1:
            raise errors.ServerFault(f"ValueError: Expected singleton: sale.order{tuple(o['id'] for o in orders)}")
        order = orders[0]
        type_name = "Quotation" if order["state"] in ("draft", "sent", "cancel") else "Sales Order"
        return {"name": f"Cancel {type_name}", "view_mode": "form", "res_model": "sale.order.cancel",
                "view_id": CANCEL_WIZARD_VIEW_ID, "type": "ir.actions.act_window", "target": "new",
                "context": {"default_template_id": CANCEL_TEMPLATE_ID, "default_order_id": order["id"],
                            "mark_so_as_canceled": True, "model_description": type_name,
                            "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature"}}

    def action_draft(self: Store, uid: int, ids, **_) -> bool:
        for order in self._sale_orders(ids):
            if order["state"] in ("cancel", "sent"):
                order["state"] = "draft"
                self.so_recompute(order["id"])
        return True

    def action_lock(self: Store, uid: int, ids, **_) -> None:
        for order in self._sale_orders(ids):
            order["locked"] = True
        return None

    def action_unlock(self: Store, uid: int, ids, **_) -> None:
        for order in self._sale_orders(ids):
            order["locked"] = False
        return None

    def so_message_post(self: Store, uid: int, ids, *, context: dict, **kwargs) -> int:
        orders = self._sale_orders(ids)
        if context.get("mark_so_as_sent"):
            for order in orders:
                if order["state"] == "draft":
                    order["state"] = "sent"
        return self.post_message("sale.order", orders, uid, **kwargs)

    def _sale_orders(self: Store, ids) -> list[dict]:
        return [self.get("sale.order", i) for i in ([ids] if isinstance(ids, int) else ids)]

    # --- stock -----------------------------------------------------------------------------------------------
    def _reserve(self: Store, line: dict, qty: float) -> None:
        """A confirmed quantity is promised: forecast down, free stock down as far as it goes."""
        product = self.tables["product.product"].get(line.get("product_id"))
        if product and qty:
            product["virtual_available"] = float(product["virtual_available"] or 0) - qty
            product["free_qty"] = max(0.0, float(product["free_qty"] or 0) - qty)

    def _release(self: Store, order: dict) -> None:
        if order["state"] != "sale":
            return
        for line in self.children("sale.order", order["id"], "order_line"):
            undelivered = float(line["product_uom_qty"] or 0) - float(line["qty_delivered"] or 0)
            self._reserve(line, -max(undelivered, 0.0))

    # --- warehouse (not an RPC method: the test/demo hook for "the goods left") ----------------------------
    def deliver(self: Store, oid: int, quantities: dict[int, float] | None = None) -> dict:
        """Validate a delivery: `quantities` {line_id: qty} more delivered, or everything still due."""
        with self.lock:
            order = self.get("sale.order", oid)
            if order["state"] != "sale":
                raise errors.UserError("Only confirmed sales orders can be delivered.")
            for line in self.children("sale.order", oid, "order_line"):
                due = float(line["product_uom_qty"] or 0) - float(line["qty_delivered"] or 0)
                qty = max(due, 0.0) if quantities is None else float(line_qty(quantities, line["id"]))
                line["qty_delivered"] = float(line["qty_delivered"] or 0) + qty
                product = self.tables["product.product"].get(line.get("product_id"))
                if product:
                    product["qty_available"] = float(product["qty_available"] or 0) - qty
            self.so_recompute(oid)
            self.changed()
            return order

