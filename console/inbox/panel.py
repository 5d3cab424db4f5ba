"""The side panel of the conversation page: the contact, their active order, why the conversation waits, and the
internal facts (session, ids, Chatwoot attributes) that go in the collapsed section at the end."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Session
from conversations.handoff import reason_label
from conversations.models import Contact, Conversation, ConversationMode, HandoffCase
from orders.models import ACTIVE_STATES, PurchaseOrder


@dataclass(frozen=True)
class Waiting:
    """Why a conversation in human mode is with staff, since when, and who has it (None: nobody yet)."""

    reason: str
    since: object
    minutes: int
    taken_by: str | None
    overdue: bool
    said: str  # what the contact wrote that made the bot hand over (the bot's full note is in the thread)


def side_panel(conversation: Conversation) -> dict:
    return {"contact": contact_facts(conversation.contact, conversation), "order": active_order(conversation),
            "waiting": waiting(conversation), "internals": internals(conversation)}


def contact_facts(contact: Contact, conversation: Conversation) -> list[tuple[str, str]]:
    """(label, value) rows, only those the contact has."""
    attributes = contact.additional_attributes or {}
    rut = attributes.get("rut") or (attributes.get("custom_attributes") or {}).get("rut") or ""
    rows = [(_("Name"), contact.name), (_("Phone"), contact.phone_e164), (_("E-mail"), contact.email),
            (_("RUT"), str(rut)), (_("Channel"), conversation.get_channel_display())]
    return [(label, value) for label, value in rows if value]


def active_order(conversation: Conversation) -> PurchaseOrder | None:
    return (PurchaseOrder.objects.filter(contact_id=conversation.contact_id, state__in=ACTIVE_STATES)
            .annotate(line_count=Count("lines")).order_by("-created_at").first())


def waiting(conversation: Conversation) -> Waiting | None:
    if conversation.mode != ConversationMode.HUMAN:
        return None
    case = HandoffCase.objects.filter(conversation=conversation, ended_at__isnull=True).order_by(
        "-created_at", "-id").first()
    since = conversation.handoff_at or (case.created_at if case else None)
    minutes = int((timezone.now() - since).total_seconds() // 60) if since else 0
    taken_by = conversation.taken_by
    return Waiting(reason=reason_label(conversation.handoff_reason), since=since, minutes=max(minutes, 0),
                   taken_by=(taken_by.get_full_name() or taken_by.get_username()) if taken_by else None,
                   overdue=bool(conversation.handoff_alerted_at), said=case.contact_text if case else "")


def internals(conversation: Conversation) -> dict:
    session = Session.objects.filter(conversation=conversation, is_active=True).first()
    document = session.document if session else {}
    last = document.get("last") or {}
    facts = [
        (_("Lane / intent (last turn)"), f"{last.get('lane') or '—'} / {last.get('intent') or '—'}"),
        (_("Our id"), conversation.pk), (_("Chatwoot id"), conversation.chatwoot_id),
        (_("Account / inbox"), f"{conversation.account_id} / {conversation.inbox_id or '—'}"),
        (_("Chatwoot contact id"), conversation.contact.chatwoot_id or "—"),
        (_("Chatwoot status"), conversation.chatwoot_status or "—"),
        (_("Chatwoot assignee id"), conversation.assignee_chatwoot_id or "—"),
        (_("Can reply"), _("yes") if conversation.can_reply else _("no")),
        (_("Active"), _("yes") if conversation.is_active else _("no")),
        (_("Session version"), f"{session.version} (schema {session.schema_version})" if session else "—"),
    ]
    return {"facts": facts, "slots": _pretty(document.get("slots") or {}),
            "attributes": _pretty(conversation.additional_attributes or {}), "started_at": conversation.started_at,
            "last_message_at": conversation.last_message_at}


def _pretty(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
