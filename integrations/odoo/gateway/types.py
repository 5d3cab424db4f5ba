"""What the gateway returns and takes: Odoo orders and lines as Odoo holds them, in our types."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class LineVals:
    """A line to send. `unit_price=None` lets Odoo price it (vendor pricelist, or the sales pricelist/list price)."""

    odoo_product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class OdooLine:
    id: int
    product_id: int | None
    product_name: str
    description: str
    quantity: Decimal  # ordered: product_qty (purchase) or product_uom_qty (sale)
    uom: str
    unit_price: Decimal
    discount: Decimal  # percent
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    done_quantity: Decimal  # qty_received (purchase) or qty_delivered (sale)
    expected_date: dt.datetime | None  # purchase: the line's date_planned (UTC); sale: None, see the order
    lead_days: Decimal  # sale: customer_lead; purchase: 0

    @property
    def pending_quantity(self) -> Decimal:
        return max(self.quantity - self.done_quantity, ZERO)


@dataclass(frozen=True)
class OdooOrder:
    id: int
    name: str
    state: str  # Odoo's own: draft, sent, to approve, purchase, done, sale, cancel
    origin: str
    amount_untaxed: Decimal
    amount_total: Decimal
    currency: str
    locked: bool
    receipt_status: str  # purchase: '', pending, partial, full
    model: str = "purchase.order"
    amount_tax: Decimal = ZERO
    partner_id: int | None = None
    client_ref: str = ""  # sale: client_order_ref
    delivery_status: str = ""  # sale: '', pending, started, partial, full
    expected_date: dt.datetime | None = None  # purchase date_planned; sale commitment_date, else expected_date
    commitment_date: dt.datetime | None = None  # sale: the date promised to the customer, when one was set
    lines: tuple[OdooLine, ...] = ()

    @property
    def received(self) -> bool:
        return self.receipt_status == "full"

    @property
    def delivered(self) -> bool:
        return self.delivery_status == "full"

    @property
    def fulfilment_status(self) -> str:
        """'' (nothing to move yet), pending, partial (or started), full: receipts or deliveries, by model."""
        return self.delivery_status if self.model == "sale.order" else self.receipt_status


def money(value) -> Decimal:
    return Decimal(str(value or 0))


def when(value) -> dt.datetime | None:
    """Odoo's 'YYYY-MM-DD HH:MM:SS' (UTC) or 'YYYY-MM-DD', or False, as an aware datetime."""
    if not value:
        return None
    text = str(value)
    parsed = dt.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S") if len(text) > 10 else \
        dt.datetime.strptime(text, "%Y-%m-%d")
    return parsed.replace(tzinfo=dt.timezone.utc)


def odoo_datetime(value: dt.datetime) -> str:
    """Our aware datetime as Odoo writes datetimes: UTC, 'YYYY-MM-DD HH:MM:SS'."""
    if value.tzinfo is None:
        raise ValueError("give an aware datetime: Odoo stores UTC")
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def m2o_name(value) -> str:
    return value[1] if isinstance(value, (list, tuple)) and len(value) > 1 else ""


def m2o_id(value) -> int | None:
    return value[0] if isinstance(value, (list, tuple)) and value else None
