"""Telling the contact (approval, rejection, receipt) and staff (orders awaiting approval).

Contact notices go through the outbound queue (a Message row first, sent after commit); staff notices through
Slack when `integrations.slack` is installed and configured.
"""

from __future__ import annotations

import importlib
import logging

from orders.models import PurchaseOrder
from orders.services.common import admin_path, clp

log = logging.getLogger(__name__)

CONTACT_NOTICES = {
    "approved": "¡Buenas noticias! Tu pedido {name} por {total} fue aprobado y confirmado. Te avisaremos cuando llegue.",
    "confirmed": "Listo, tu pedido {name} por {total} quedó confirmado. Te avisaremos cuando llegue.",
    "rejected": "Lo sentimos, tu pedido {name} no fue aprobado. Motivo: {reason}. Si quieres, podemos armar uno nuevo.",
    "received": "Tu pedido {name} ya fue recibido en bodega. ¡Gracias por tu compra!",
    "under_review": "Tu pedido {name} por {total} quedó en revisión; te avisaremos apenas lo aprueben.",
    "cancelled_in_odoo": "Tu pedido {name} fue anulado por nuestro equipo. Si quieres, podemos armar uno nuevo.",
    "pending_odoo": "Recibimos tu pedido; estamos teniendo un problema con nuestro sistema y lo confirmaremos en breve.",
}


def contact_notice(order: PurchaseOrder, kind: str, *, reason: str = "") -> None:
    if not order.conversation_id:
        return
    from conversations.outbound import reply_queue

    content = CONTACT_NOTICES[kind].format(name=order.display_name, total=clp(order.amount_total),
                                           reason=reason or "sin detalle")
    reply_queue(conversation_id=order.conversation_id, content=content)


def staff_notice(order: PurchaseOrder, text: str, *, kind: str = "approval") -> None:
    try:
        slack = importlib.import_module("integrations.slack")
    except ModuleNotFoundError:
        return
    notify = getattr(slack, "notify", None)
    if notify is not None:
        notify(text=text, link=admin_path(order.pk), kind=kind)


def approval_request_text(order: PurchaseOrder) -> str:
    return (f"Pedido {order.display_name} de {order.contact} por {clp(order.amount_total)} espera aprobación.")
