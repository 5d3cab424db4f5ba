"""Contacts and conversations for the orders tests, and a catalog synced from the Odoo stand-in."""

from __future__ import annotations

import itertools
from decimal import Decimal

from conversations.models import Channel, Contact, Conversation
from orders.catalog_sync import catalog_sync
from orders.services import LineInput

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
