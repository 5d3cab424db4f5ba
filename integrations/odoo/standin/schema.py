"""Field definitions per Odoo version (17, 18, 19) for the stand-in, as `fields_get` reports them.

Names follow NOTES.md §2: line UoM `product_uom` → `product_uom_id` (19), taxes `taxes_id` → `tax_ids` (19),
order terms `notes` → `note` (19), `res.partner.mobile` gone in 19, state `done` (17/18) versus `locked` (19).
"""

from __future__ import annotations

PO_STATES_17 = [("draft", "RFQ"), ("sent", "RFQ Sent"), ("to approve", "To Approve"),
                ("purchase", "Purchase Order"), ("done", "Locked"), ("cancel", "Cancelled")]
PO_STATES_19 = [s for s in PO_STATES_17 if s[0] != "done"]


def names(version: int) -> dict[str, str]:
    """Canonical key → this version's field name."""
    new = version >= 19
    return {
        "line_uom": "product_uom_id" if new else "product_uom",
        "line_taxes": "tax_ids" if new else "taxes_id",
        "notes": "note" if new else "notes",
        "seller_uom": "product_uom_id" if new else "product_uom",
    }


def _f(ftype: str, string: str, relation: str | None = None, **extra) -> dict:
    spec = {"type": ftype, "string": string, "required": extra.pop("required", False),
            "readonly": extra.pop("readonly", False)}
    if relation:
        spec["relation"] = relation
    spec.update(extra)
    return spec


def model_fields(version: int) -> dict[str, dict[str, dict]]:
    simple = {"name": _f("char", "Name")}
    return {
        "res.partner": _partner(version), "product.product": _product(version),
        "product.supplierinfo": _seller(version), "purchase.order": _order(version),
        "purchase.order.line": _line(version), "res.company": _company(), "res.users": _users(),
        "uom.uom": simple, "res.currency": simple, "account.tax": {**simple, "amount": _f("float", "Amount")},
        "product.template": simple,
    }


def _partner(version: int) -> dict:
    partner = {
        "name": _f("char", "Name"), "phone": _f("char", "Phone"), "email": _f("char", "Email"),
        "is_company": _f("boolean", "Is a Company"), "supplier_rank": _f("integer", "Supplier Rank"),
        "active": _f("boolean", "Active"), "comment": _f("html", "Notes"),
    }
    if version < 19:
        partner["mobile"] = _f("char", "Mobile")
    return partner


def _product(version: int) -> dict:
    product = {
        "name": _f("char", "Name", required=True), "default_code": _f("char", "Internal Reference"),
        "purchase_ok": _f("boolean", "Purchase"), "sale_ok": _f("boolean", "Sales"),
        "type": _f("selection", "Product Type", selection=[["consu", "Goods"], ["service", "Service"]]),
        "standard_price": _f("float", "Cost"), "uom_id": _f("many2one", "Unit", "uom.uom"),
        "qty_available": _f("float", "Quantity On Hand", readonly=True),
        "seller_ids": _f("one2many", "Vendors", "product.supplierinfo"), "active": _f("boolean", "Active"),
        "product_tmpl_id": _f("many2one", "Product Template", "product.template"),
    }
    if version < 19:
        product["uom_po_id"] = _f("many2one", "Purchase Unit", "uom.uom")
    return product


def _seller(version: int) -> dict:
    n = names(version)
    return {
        "partner_id": _f("many2one", "Vendor", "res.partner", required=True),
        "product_id": _f("many2one", "Product Variant", "product.product"),
        "product_tmpl_id": _f("many2one", "Product Template", "product.template"),
        "product_name": _f("char", "Vendor Product Name"), "product_code": _f("char", "Vendor Product Code"),
        "min_qty": _f("float", "Quantity"), "price": _f("float", "Unit Price", required=True),
        "delay": _f("integer", "Lead Time"), "sequence": _f("integer", "Sequence"),
        n["seller_uom"]: _f("many2one", "Unit", "uom.uom", readonly=version < 19),
    }


def _order(version: int) -> dict:
    n = names(version)
    order = {
        "name": _f("char", "Order Reference", required=True), "origin": _f("char", "Source Document"),
        "partner_id": _f("many2one", "Vendor", "res.partner", required=True),
        "partner_ref": _f("char", "Vendor Reference"),
        "state": _f("selection", "Status", readonly=True, selection=[list(s) for s in
                    (PO_STATES_19 if version >= 19 else PO_STATES_17)]),
        "order_line": _f("one2many", "Order Lines", "purchase.order.line"),
        "currency_id": _f("many2one", "Currency", "res.currency", required=True),
        "date_order": _f("datetime", "Order Deadline", required=True),
        "date_approve": _f("datetime", "Confirmation Date", readonly=True),
        "amount_untaxed": _f("monetary", "Untaxed Amount", readonly=True),
        "amount_tax": _f("monetary", "Taxes", readonly=True), "amount_total": _f("monetary", "Total", readonly=True),
        "receipt_status": _f("selection", "Receipt Status", readonly=True, selection=[
            ["pending", "Not Received"], ["partial", "Partially Received"], ["full", "Fully Received"]]),
        "user_id": _f("many2one", "Buyer", "res.users"), "company_id": _f("many2one", "Company", "res.company"),
        n["notes"]: _f("html", "Terms and Conditions"),
    }
    if version >= 19:
        order["locked"] = _f("boolean", "Locked", readonly=True)
    return order


def _line(version: int) -> dict:
    n = names(version)
    return {
        "order_id": _f("many2one", "Order Reference", "purchase.order", required=True),
        "product_id": _f("many2one", "Product", "product.product"), "name": _f("text", "Description"),
        "product_qty": _f("float", "Quantity", required=True), "qty_received": _f("float", "Received Qty"),
        "price_unit": _f("float", "Unit Price", required=True),
        "price_subtotal": _f("monetary", "Subtotal", readonly=True),
        "price_total": _f("monetary", "Total", readonly=True),
        "date_planned": _f("datetime", "Expected Arrival"),
        n["line_uom"]: _f("many2one", "Unit", "uom.uom"),
        n["line_taxes"]: _f("many2many", "Taxes", "account.tax"),
    }


def _company() -> dict:
    return {
        "name": _f("char", "Company Name"), "currency_id": _f("many2one", "Currency", "res.currency"),
        "po_double_validation": _f("selection", "Levels of Approvals", selection=[
            ["one_step", "Confirm purchase orders in one step"],
            ["two_step", "Get 2 levels of approvals to confirm a purchase order"]]),
        "po_double_validation_amount": _f("monetary", "Double validation amount"),
        "po_lock": _f("selection", "Purchase Order Modification", selection=[["edit", "Allow"], ["lock", "Lock"]]),
    }


def _users() -> dict:
    return {"name": _f("char", "Name"), "login": _f("char", "Login"),
             "company_id": _f("many2one", "Company", "res.company"),
             # Stand-in shortcut for membership of purchase.group_purchase_manager.
             "purchase_manager": _f("boolean", "Purchase Manager")}
