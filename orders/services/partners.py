"""The contact's partner in Odoo: found by E.164 phone, then e-mail; created (and audited) when none exists."""

from __future__ import annotations

import logging

from conversations.models import Contact
from core.errors import NotFound
from integrations.odoo import gateway
from integrations.odoo.errors import OdooError
from orders.services.transitions import purchase_order_event

log = logging.getLogger(__name__)


def odoo_partner_for_contact(*, contact_id: int | None = None, contact: Contact | None = None,
                             order=None) -> int | None:
    """Odoo res.partner id for the contact (`contact`: the row when the caller has it). Raises OdooError
    (unavailable or refused). None only under DRY_RUN, where a missing partner is not created. Call outside a
    transaction."""
    contact = contact or Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(f"Contact {contact_id} does not exist.")
    found = gateway.partner_find(phone=contact.phone_e164, email=contact.email)
    if found:
        return found
    partner_id = gateway.partner_create(name=contact.name, phone=contact.phone_e164, email=contact.email)
    if order is not None:
        purchase_order_event(order_id=order.pk, order=order, actor="system", kind="odoo_partner_created" if partner_id else
                             "dry_run_partner", detail={"partner_id": partner_id, "name": contact.name,
                                                        "phone": contact.phone_e164, "email": contact.email})
    log.info("odoo partner %s created for contact %s", partner_id, contact.pk)
    return partner_id


__all__ = ["OdooError", "odoo_partner_for_contact"]
