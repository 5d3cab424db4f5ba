"""Contacts and conversations for the orders tests, and a catalog synced from the Odoo stand-in."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.db import transaction

from conversations.models import Channel, Contact, Conversation
from orders import services
from orders.catalog_sync import catalog_sync
from orders.models import PurchaseOrder
from orders.services import LineInput, OrderChange

_ids = itertools.count(1000)


def contact_with_conversation(*, name: str = "Panadería Los Aromos", phone: str = "", email: str = ""):
    n = next(_ids)
    contact = Contact.objects.create(account_id=1, chatwoot_id=n, name=name, phone_e164=phone or f"+56998{n:06d}",
                                     email=email)
    conversation = Conversation.objects.create(account_id=1, chatwoot_id=n, inbox_id=1, channel=Channel.WHATSAPP,
                                               contact=contact)
    return contact, conversation


def synced_catalog():
    return catalog_sync()


def lines(*pairs) -> list[LineInput]:
    return [LineInput(product_code=code, quantity=Decimal(str(qty))) for code, qty in pairs]


def decide(contact, conversation, change: OrderChange):
    """What a turn does: apply the change in its commit, then run the order's Odoo commands after it."""
    with transaction.atomic():
        applied = services.order_change_apply(change=change, contact_id=contact.pk, conversation_id=conversation.pk)
    services.odoo_commands_run(order_id=applied.order_id)
    return PurchaseOrder.objects.get(pk=applied.order_id)


def create(contact, conversation, *pairs):
    return decide(contact, conversation, OrderChange("set_lines", lines=tuple(lines(*pairs))))


def set_lines(contact, conversation, order, *pairs):
    return decide(contact, conversation, OrderChange("set_lines", order_id=order.pk, lines=tuple(lines(*pairs)),
                                                     base_version=order.lines_version))


def confirm(contact, conversation, order):
    return decide(contact, conversation, OrderChange("confirm", order_id=order.pk, base_version=order.lines_version))


def cancel(contact, conversation, order):
    return decide(contact, conversation, OrderChange("cancel", order_id=order.pk, reason="cliente desiste"))


def quoted(order):
    """The quote went to the contact (the agents' notice does this when it tells the quote)."""
    services.purchase_order_transition(order_id=order.pk, to_state="sent", actor="agent", reason="quote sent")
    return PurchaseOrder.objects.get(pk=order.pk)
