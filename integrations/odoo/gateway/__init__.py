"""The order operations the orders app needs, in Odoo terms, over `OdooClient`.

- `gateway.purchase` (`purchase.order`, RFQs) and `gateway.sale` (`sale.order`, quotations) offer the same command
  API: `find(key)`, `read(id)`, `create(key=, partner_id=, lines=)`, `set_lines`, `mark_sent`, `confirm`, `cancel`
  (purchase adds `approve`). `orders_for(mode)` picks one by `ODOO_ORDER_MODEL`.
- `partner_find` / `partner_create`, and the catalog per mode: `purchasable_products` / `sellable_products`.
- The functions the orders app called before the command API (`order_create`, `order_read`, `order_button`, ...)
  remain, with the same Odoo calls.
Call these outside any database transaction.
"""

from __future__ import annotations

from types import ModuleType

from django.conf import settings

from integrations.odoo.gateway import purchase, sale
from integrations.odoo.gateway.catalog import purchasable_products, sellable_products
from integrations.odoo.gateway.common import client
from integrations.odoo.gateway.partners import e164, partner_create, partner_find
from integrations.odoo.gateway.purchase import (order_button, order_create, order_find_by_origin, order_read,
                                                order_set_lines)
from integrations.odoo.gateway.types import LineVals, OdooLine, OdooOrder

MODES = {"purchase": purchase, "sale": sale}

__all__ = ["LineVals", "OdooLine", "OdooOrder", "client", "e164", "ensure_order_model", "orders_for", "order_button",
           "order_create", "order_find_by_origin", "order_read", "order_set_lines", "partner_create", "partner_find",
           "purchasable_products", "purchase", "sale", "sellable_products"]


def orders_for(mode: str | None = None) -> ModuleType:
    """The gateway module for `mode` ('purchase' or 'sale'; default `ODOO_ORDER_MODEL`)."""
    return MODES[mode or settings.ODOO_ORDER_MODEL]


def ensure_order_model(mode: str | None = None) -> None:
    """One read of the mode's order model: raises what its first real call would (`OdooModelMissing` when its app
    is not installed, `OdooAccessError` when the user lacks its rights), before any work is done."""
    client().search_read(orders_for(mode).MODEL, [], ["id"], limit=1)
