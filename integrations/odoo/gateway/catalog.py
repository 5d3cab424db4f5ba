"""The catalog each mode offers: purchasable products with vendor prices, or sellable ones with sales prices."""

from __future__ import annotations

from integrations.odoo.fields import model_fields, present
from integrations.odoo.gateway.common import client

PRODUCT = "product.product"


def purchasable_products() -> list[dict]:
    """Purchasable products with their vendor price (first supplierinfo) and stock on hand."""
    odoo = client()
    # Purchase unit: 17/18 keep it on the product (uom_po_id); 19 on the vendor line (product_uom_id).
    po_uom = present(odoo, PRODUCT, "uom_po_id")
    seller_uom = [f for f in ("product_uom_id", "product_uom") if f in model_fields(odoo, "product.supplierinfo")][:1]
    products = odoo.search_read(PRODUCT, [("purchase_ok", "=", True)],
                                ["default_code", "name", "uom_id", "standard_price", "qty_available", "seller_ids",
                                 "sale_ok"] + po_uom, order="default_code")
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


def sellable_products() -> list[dict]:
    """Products that can be sold (`sale_ok`), with the sales price (`lst_price`, before any customer pricelist),
    the sales description, and stock: on hand, free to use and forecast where the stock app reports them."""
    odoo = client()
    stock = present(odoo, PRODUCT, "qty_available", "free_qty", "virtual_available")
    return odoo.search_read(PRODUCT, [("sale_ok", "=", True)],
                            ["default_code", "name", "uom_id", "lst_price", "description_sale", "purchase_ok"]
                            + stock, order="default_code")
