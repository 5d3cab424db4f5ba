"""Staff decisions from the admin: approve or reject an order awaiting approval.

Each decision is an Odoo command queued in its own transaction and run at once, after commit, in the request (so
the admin reports what Odoo said); if the request dies or Odoo is unreachable, the sweeper keeps driving it. The
contact hears the outcome through the order's events (approved, or rejected with the reason).
"""

from __future__ import annotations

from django.db import transaction

from core.errors import DomainError, InvalidTransition
from orders.models import CommandKind, CommandState, OdooCommand, OrderState, PurchaseOrder
from orders.services.commands import command_queue, odoo_commands_run
from orders.services.common import result
from orders.services.results import ApprovalDenied, OrderResult, Outcome
from orders.services.transitions import actor_for

APPROVE_PERMISSION = "orders.approve_purchaseorder"


def purchase_order_approve(*, order_id: int, user) -> OrderResult:
    """Confirm an order awaiting approval in Odoo (button_approve from 'to approve', button_confirm from draft),
    and follow what Odoo says."""
    command = _decide(order_id, user, CommandKind.APPROVE)
    return _outcome(command, Outcome.APPROVED)


def purchase_order_reject(*, order_id: int, user, reason: str) -> OrderResult:
    """Cancel in Odoo, then tell the contact why (`reason` is what they read)."""
    if not (reason or "").strip():
        raise DomainError("A reason is required to reject a purchase order.", code="reason_required")
    command = _decide(order_id, user, CommandKind.CANCEL, reason=reason.strip())
    return _outcome(command, Outcome.REJECTED)


def _decide(order_id: int, user, kind: str, reason: str = "") -> OdooCommand:
    if user is None or not user.has_perm(APPROVE_PERMISSION):
        raise ApprovalDenied("You do not have permission to approve or reject purchase orders.")
    with transaction.atomic(durable=True):
        order = PurchaseOrder.objects.select_for_update().get(pk=order_id)
        if order.state != OrderState.TO_APPROVE:
            raise InvalidTransition(f"Purchase order {order.display_name} is '{order.state}', not awaiting approval.")
        command = command_queue(order=order, kind=kind, lines_version=order.lines_version, actor=actor_for(user),
                                reason=reason, user=user)
    odoo_commands_run(order_id=order_id)
    command.refresh_from_db()
    return command


def _outcome(command: OdooCommand, success: str) -> OrderResult:
    order = PurchaseOrder.objects.get(pk=command.order_id)
    if command.state == CommandState.DONE:
        return result(order, success)
    if command.state == CommandState.PENDING:  # Odoo unreachable: the sweeper keeps trying
        return result(order, Outcome.ODOO_UNREACHABLE, error=command.last_error)
    if command.kind == CommandKind.APPROVE and command.result.get("odoo_state") == "to approve":
        return result(order, Outcome.ODOO_NOT_APPROVED, error="Odoo left it in 'to approve'")
    return result(order, Outcome.ODOO_REFUSED, error=command.last_error)
