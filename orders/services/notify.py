"""Telling staff about orders (Slack): orders awaiting approval, and what Odoo refused. The contact is never told
from here: the order's events carry the notices the agents turn into replies."""

from __future__ import annotations

from integrations import slack
from orders.models import PurchaseOrder
from orders.services.common import admin_path, clp


def staff_notice(order: PurchaseOrder, text: str, *, kind: str = "approval") -> None:
    slack.notify(text=text, link=admin_path(order.pk), kind=kind)


def approval_request_text(order: PurchaseOrder) -> str:
    return f"Pedido {order.display_name} de {order.contact} por {clp(order.amount_total)} espera aprobación."
