"""Field definitions per Odoo version (17, 18, 19) and installed apps for the stand-in, as `fields_get` reports them.

Names follow NOTES.md §2 and §11: purchase line UoM `product_uom` → `product_uom_id` (19), purchase taxes
`taxes_id` → `tax_ids` (19), sale line `product_uom` → `product_uom_id` and `tax_id` → `tax_ids` (19), order terms
`notes` → `note` (purchase, 19), `res.partner.mobile` gone in 19, purchase state `done` (17/18) versus `locked` (19).
Models of an app that is not installed are absent, so calling them fails the way Odoo fails.
"""

from __future__ import annotations

PO_STATES_17 = [("draft", "RFQ"), ("sent", "RFQ Sent"), ("to approve", "To Approve"),
                ("purchase", "Purchase Order"), ("done", "Locked"), ("cancel", "Cancelled")]
PO_STATES_19 = [s for s in PO_STATES_17 if s[0] != "done"]
SO_STATES = [("draft", "Quotation"), ("sent", "Quotation Sent"), ("sale", "Sales Order"), ("cancel", "Cancelled")]
APPS = frozenset({"purchase", "sale"})
APP_MODELS = {
    "purchase": ("purchase.order", "purchase.order.line"),
    "sale": ("sale.order", "sale.order.line"),
}


def names(version: int) -> dict[str, str]:
    """Canonical key → this version's field name."""
    new = version >= 19
    return {
        "line_uom": "product_uom_id" if new else "product_uom",
        "line_taxes": "tax_ids" if new else "taxes_id",
        "notes": "note" if new else "notes",
        "seller_uom": "product_uom_id" if new else "product_uom",
        "sale_line_uom": "product_uom_id" if new else "product_uom",
        "sale_line_taxes": "tax_ids" if new else "tax_id",
    }


def _f(ftype: str, string: str, relation: str | None = None, **extra) -> dict:
    spec = {"type": ftype, "string": string, "required": extra.pop("required", False),
            "readonly": extra.pop("readonly", False)}
    if relation:
        spec["relation"] = relation
    spec.update(extra)
    return spec


def model_fields(version: int, apps=APPS) -> dict[str, dict[str, dict]]:
    simple = {"name": _f("char", "Name")}
    models = {
        "res.partner": _partner(version), "product.product": _product(version),
        "product.supplierinfo": _seller(version), "purchase.order": _order(version),
        "purchase.order.line": _line(version), "res.company": _company(), "res.users": _users(),
        "uom.uom": simple, "res.currency": simple, "product.template": simple,
        "account.tax": {**simple, "amount": _f("float", "Amount"), "type_tax_use": _f(
            "selection", "Tax Type", selection=[["sale", "Sales"], ["purchase", "Purchases"], ["none", "None"]])},
        "sale.order": _sale_order(), "sale.order.line": _sale_line(version),
        "product.pricelist": _pricelist(version), "product.pricelist.item": _pricelist_item(),
        "mail.message": _message(),
    }
    missing = {model for app, app_models in APP_MODELS.items() if app not in apps for model in app_models}
    return {model: spec for model, spec in models.items() if model not in missing}


def _partner(version: int) -> dict:
    partner = {
        "name": _f("char", "Name"), "phone": _f("char", "Phone"), "email": _f("char", "Email"),
        "is_company": _f("boolean", "Is a Company"), "supplier_rank": _f("integer", "Supplier Rank"),
        "customer_rank": _f("integer", "Customer Rank"), "active": _f("boolean", "Active"),
        "comment": _f("html", "Notes"),
        "property_product_pricelist": _f("many2one", "Pricelist", "product.pricelist"),
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
        "lst_price": _f("float", "Sales Price"), "list_price": _f("float", "Sales Price"),
        "description_sale": _f("text", "Sales Description"),
        "sale_delay": _f("float", "Customer Lead Time"),
        "taxes_id": _f("many2many", "Sales Taxes", "account.tax"),
        "supplier_taxes_id": _f("many2many", "Purchase Taxes", "account.tax"),
        "qty_available": _f("float", "Quantity On Hand", readonly=True),
        "free_qty": _f("float", "Free To Use Quantity", readonly=True),
        "virtual_available": _f("float", "Forecasted Quantity", readonly=True),
        "seller_ids": _f("one2many", "Vendors", "product.supplierinfo", inverse="product_id"),
        "active": _f("boolean", "Active"),
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
        "order_line": _f("one2many", "Order Lines", "purchase.order.line", inverse="order_id"),
        "currency_id": _f("many2one", "Currency", "res.currency", required=True),
        "date_order": _f("datetime", "Order Deadline", required=True),
        "date_approve": _f("datetime", "Confirmation Date", readonly=True),
        "date_planned": _f("datetime", "Expected Arrival"),
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
        "price_tax": _f("float", "Tax", readonly=True),
        "price_total": _f("monetary", "Total", readonly=True),
        "date_planned": _f("datetime", "Expected Arrival"),
        n["line_uom"]: _f("many2one", "Unit", "uom.uom"),
        n["line_taxes"]: _f("many2many", "Taxes", "account.tax"),
    }


def _sale_order() -> dict:
    return {
        "name": _f("char", "Order Reference", required=True), "origin": _f("char", "Source Document"),
        "client_order_ref": _f("char", "Customer Reference"),
        "partner_id": _f("many2one", "Customer", "res.partner", required=True),
        "partner_invoice_id": _f("many2one", "Invoice Address", "res.partner"),
        "partner_shipping_id": _f("many2one", "Delivery Address", "res.partner"),
        "state": _f("selection", "Status", readonly=True, selection=[list(s) for s in SO_STATES]),
        "locked": _f("boolean", "Locked"),
        "date_order": _f("datetime", "Order Date", required=True),
        "validity_date": _f("date", "Expiration"),
        "commitment_date": _f("datetime", "Delivery Date"),
        "expected_date": _f("datetime", "Expected Date", readonly=True),
        "order_line": _f("one2many", "Order Lines", "sale.order.line", inverse="order_id"),
        "currency_id": _f("many2one", "Currency", "res.currency"),
        "pricelist_id": _f("many2one", "Pricelist", "product.pricelist"),
        "amount_untaxed": _f("monetary", "Untaxed Amount", readonly=True),
        "amount_tax": _f("monetary", "Taxes", readonly=True), "amount_total": _f("monetary", "Total", readonly=True),
        "invoice_status": _f("selection", "Invoice Status", readonly=True, selection=[
            ["upselling", "Upselling Opportunity"], ["invoiced", "Fully Invoiced"], ["to invoice", "To Invoice"],
            ["no", "Nothing to Invoice"]]),
        "delivery_status": _f("selection", "Delivery Status", readonly=True, selection=[
            ["pending", "Not Delivered"], ["started", "Started"], ["partial", "Partially Delivered"],
            ["full", "Fully Delivered"]]),
        "user_id": _f("many2one", "Salesperson", "res.users"), "company_id": _f("many2one", "Company", "res.company"),
        "note": _f("html", "Terms and conditions"),
    }


def _sale_line(version: int) -> dict:
    n = names(version)
    return {
        "order_id": _f("many2one", "Order Reference", "sale.order", required=True),
        "product_id": _f("many2one", "Product", "product.product"), "name": _f("text", "Description"),
        "product_uom_qty": _f("float", "Quantity", required=True),
        n["sale_line_uom"]: _f("many2one", "Unit" if version >= 19 else "Unit of Measure", "uom.uom"),
        "price_unit": _f("float", "Unit Price", required=True), "discount": _f("float", "Discount (%)"),
        n["sale_line_taxes"]: _f("many2many", "Taxes", "account.tax"),
        "price_subtotal": _f("monetary", "Subtotal", readonly=True),
        "price_tax": _f("float", "Total Tax", readonly=True),
        "price_total": _f("monetary", "Total", readonly=True),
        "qty_delivered": _f("float", "Delivery Quantity"), "qty_invoiced": _f("float", "Invoiced Quantity",
                                                                              readonly=True),
        "customer_lead": _f("float", "Lead Time", required=True),
        "state": _f("selection", "Order Status", readonly=True, selection=[list(s) for s in SO_STATES]),
        "display_type": _f("selection", "Display Type", selection=[["line_section", "Section"],
                                                                   ["line_note", "Note"]]),
    }


def _pricelist(version: int) -> dict:
    pricelist = {"name": _f("char", "Pricelist Name", required=True),
                 "currency_id": _f("many2one", "Currency", "res.currency"), "active": _f("boolean", "Active"),
                 "item_ids": _f("one2many", "Pricelist Rules", "product.pricelist.item", inverse="pricelist_id")}
    if version < 18:
        # 17's pricelists say whether a percentage shows as a line discount; 18 moved that to a setting.
        pricelist["discount_policy"] = _f("selection", "Discount Policy", selection=[
            ["with_discount", "Discount included in the price"], ["without_discount", "Show public price & discount"]])
    return pricelist


def _pricelist_item() -> dict:
    return {
        "pricelist_id": _f("many2one", "Pricelist", "product.pricelist", required=True),
        "applied_on": _f("selection", "Apply On", selection=[
            ["3_global", "All Products"], ["1_product", "Product"], ["0_product_variant", "Product Variant"]]),
        "product_id": _f("many2one", "Product Variant", "product.product"),
        "product_tmpl_id": _f("many2one", "Product", "product.template"),
        "min_quantity": _f("float", "Min. Quantity"),
        "compute_price": _f("selection", "Price Type", selection=[
            ["fixed", "Fixed Price"], ["percentage", "Discount"], ["formula", "Formula"]]),
        "fixed_price": _f("float", "Fixed Price"), "percent_price": _f("float", "Percentage Price"),
    }


def _message() -> dict:
    return {"model": _f("char", "Related Document Model"), "res_id": _f("integer", "Related Document ID"),
            "body": _f("html", "Contents"), "message_type": _f("selection", "Type", selection=[
                ["comment", "Comment"], ["notification", "System notification"]]),
            "subtype_xmlid": _f("char", "Subtype"), "author_id": _f("many2one", "Author", "res.partner")}


def _company() -> dict:
    return {
        "name": _f("char", "Company Name"), "currency_id": _f("many2one", "Currency", "res.currency"),
        "po_double_validation": _f("selection", "Levels of Approvals", selection=[
            ["one_step", "Confirm purchase orders in one step"],
            ["two_step", "Get 2 levels of approvals to confirm a purchase order"]]),
        "po_double_validation_amount": _f("monetary", "Double validation amount"),
        "po_lock": _f("selection", "Purchase Order Modification", selection=[["edit", "Allow"], ["lock", "Lock"]]),
        "quotation_validity_days": _f("integer", "Default Quotation Validity"),
        # Stand-in shortcut for the "Lock Confirmed Sales" setting (group sale.group_auto_done_setting).
        "sale_lock_confirmed": _f("boolean", "Lock Confirmed Sales"),
    }


def _users() -> dict:
    return {"name": _f("char", "Name"), "login": _f("char", "Login"),
            "company_id": _f("many2one", "Company", "res.company"),
            # Stand-in shortcuts for group membership: Purchase / User, Purchase / Administrator, Sales / User.
            "purchase_user": _f("boolean", "Purchase User"),
            "purchase_manager": _f("boolean", "Purchase Manager"),
            "sale_user": _f("boolean", "Sales User")}
