"""What `ODOO_ORDER_MODEL` changes on our side: which products can be ordered, and what things are called.

- `purchase` (default): the contact is a supplier; orders are RFQs / purchase orders (`purchase.order`); a product
  can be ordered when Odoo says `purchase_ok`; goods are *received*.
- `sale`: the contact is a customer; orders are quotations / sales orders (`sale.order`), priced by Odoo; a
  product can be ordered when Odoo says `sale_ok`; goods are *delivered*, and a line above the stock available is
  offered as what is available now or the whole line later.
The local state machine is the same in both (CONTRACT §5); `to_approve` is ours alone in sale mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

PURCHASE, SALE = "purchase", "sale"


@dataclass(frozen=True)
class ModeLabels:
    """Words for staff screens (admin, dashboard, demo) and the contact's texts, per mode."""

    partner: str  # the contact's role in Odoo
    quotation: str  # the order before it is confirmed
    order: str  # the confirmed order
    orders: str  # a title for the list of orders
    odoo_model: str
    fulfilled: str  # what happens to the goods at the end (for staff)


LABELS = {
    PURCHASE: ModeLabels(partner="Proveedor", quotation="solicitud de cotización", order="orden de compra",
                         orders="Órdenes de compra", odoo_model="purchase.order", fulfilled="recibido"),
    SALE: ModeLabels(partner="Cliente", quotation="cotización", order="pedido de venta", orders="Pedidos de venta",
                     odoo_model="sale.order", fulfilled="entregado"),
}


def order_mode() -> str:
    return settings.ODOO_ORDER_MODEL


def is_sale() -> bool:
    return settings.ODOO_ORDER_MODEL == SALE


def labels(mode: str | None = None) -> ModeLabels:
    return LABELS[mode or settings.ODOO_ORDER_MODEL]


def orderable_q(mode: str | None = None) -> Q:
    """Active products this mode may order: Odoo's `sale_ok` in sale mode, `purchase_ok` in purchase mode."""
    flag = "sale_ok" if (mode or settings.ODOO_ORDER_MODEL) == SALE else "purchase_ok"
    return Q(active=True, **{flag: True})


def is_orderable(product, mode: str | None = None) -> bool:
    flag = "sale_ok" if (mode or settings.ODOO_ORDER_MODEL) == SALE else "purchase_ok"
    return bool(product.active and getattr(product, flag))
