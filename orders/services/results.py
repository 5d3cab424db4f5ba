"""What the order services return: a result the purchase agent turns into a message, and staff see in the admin."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from core.errors import DomainError


class Outcome:
    CREATED = "created"  # local order and Odoo RFQ exist
    UPDATED = "updated"  # lines changed (and written to Odoo)
    UNCHANGED = "unchanged"
    CONFIRMED = "confirmed"  # Odoo says purchase
    AWAITING_APPROVAL = "awaiting_approval"  # our threshold or Odoo's own two-step approval
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    RECEIVED = "received"
    PENDING_ODOO = "pending_odoo"  # saved here; Odoo unreachable; pushed when it is back
    ODOO_UNREACHABLE = "odoo_unreachable"  # a staff decision could not reach Odoo; nothing changed; retry
    ODOO_REFUSED = "odoo_refused"  # Odoo answered with an error (validation, access…): see `error`
    ODOO_NOT_APPROVED = "odoo_not_approved"  # button_approve was a no-op (the integration user lacks the right)
    DRY_RUN = "dry_run"  # DRY_RUN=1: nothing written to Odoo


@dataclass(frozen=True)
class LineSummary:
    product_code: str
    product_name: str
    quantity: Decimal
    uom: str
    unit_price: Decimal
    subtotal: Decimal
    qty_available: Decimal  # stock on hand
    available: Decimal | None = None  # free to use where Odoo reports it (None: count on the stock on hand)
    discount: Decimal = Decimal(0)  # percent, Odoo's
    done_quantity: Decimal = Decimal(0)  # received (purchase) or delivered (sale) so far
    wait_for_stock: bool = False  # sale mode: the contact takes the whole line later

    @property
    def can_promise(self) -> Decimal:
        return self.qty_available if self.available is None else self.available

    @property
    def short(self) -> bool:
        """More than can be promised now (stock is informational in purchase mode, a question in sale mode)."""
        return self.quantity > self.can_promise


@dataclass(frozen=True)
class OrderResult:
    outcome: str
    order_id: int | None
    state: str = ""
    odoo_name: str = ""
    odoo_state: str = ""
    amount_untaxed: Decimal = Decimal(0)
    amount_total: Decimal = Decimal(0)
    currency: str = "CLP"
    lines: tuple[LineSummary, ...] = field(default_factory=tuple)
    error: str = ""  # for staff and logs, never shown to a contact verbatim
    expected_at: datetime | None = None  # when Odoo expects the goods (confirmed orders)
    lines_version: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome not in (Outcome.ODOO_UNREACHABLE, Outcome.ODOO_REFUSED, Outcome.ODOO_NOT_APPROVED)


@dataclass(frozen=True)
class LineInput:
    product_code: str
    quantity: Decimal
    uom: str | None = None  # informative; the catalog's purchase unit is used


class InvalidOrderLines(DomainError):
    code = "invalid_order_lines"

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{code}: {why}" for code, why in problems))
        self.problems = problems  # (product_code, reason code: unknown|not_purchasable|quantity|too_many|price)


class ApprovalDenied(DomainError):
    code = "forbidden"
    status_code = 403
