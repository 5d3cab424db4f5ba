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
from django.utils.translation import gettext_lazy as _

PURCHASE, SALE = "purchase", "sale"


@dataclass(frozen=True)
class ModeLabels:
    """What staff screens call things in each mode (translatable: the console's language applies)."""

    partner: str  # the contact's role in Odoo
    quotation: str  # the order before it is confirmed
    order: str  # the confirmed order
    orders: str  # a title for the list of orders
    odoo_model: str


LABELS = {
    PURCHASE: ModeLabels(partner=_("Vendor"), quotation=_("Request for quotation"), order=_("Purchase order"),
                         orders=_("Purchase orders"), odoo_model="purchase.order"),
    SALE: ModeLabels(partner=_("Customer"), quotation=_("Quotation"), order=_("Sales order"),
                     orders=_("Sales orders"), odoo_model="sale.order"),
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
