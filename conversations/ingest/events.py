"""Handlers for the non-message events (PROTOCOL.md section 1, event catalogue). Each returns (outcome, reason)."""

from __future__ import annotations

from conversations.ingest.contacts import contact_upsert, identity_upsert
from conversations.ingest.conversations import conversation_apply_status, conversation_upsert
from conversations.ingest.parsing import CHANNEL_BY_TYPE
from conversations.models import Channel


def _account(payload: dict) -> int:
    return int((payload.get("account") or {}).get("id"))


def handle_conversation_created(payload: dict) -> tuple[str, str]:
    conv = conversation_upsert(account_id=_account(payload), data=payload)
    conversation_apply_status(conversation=conv, status=payload.get("status") or "")
    return "processed", "conversation stored"


def _status_from_changes(payload: dict) -> str:
    """conversation_updated carries the diff; conversation_status_changed has `changed_attributes: null` in
    practice (PROTOCOL.md section 1 note), so the current `status` is the truth there."""
    for change in payload.get("changed_attributes") or []:
        if isinstance(change, dict) and "status" in change:
            return (change["status"] or {}).get("current_value") or payload.get("status") or ""
    return payload.get("status") or ""


def handle_conversation_updated(payload: dict) -> tuple[str, str]:
    conv = conversation_upsert(account_id=_account(payload), data=payload)
    conversation_apply_status(conversation=conv, status=_status_from_changes(payload))
    return "processed", "conversation updated"


def handle_conversation_status_changed(payload: dict) -> tuple[str, str]:
    conv = conversation_upsert(account_id=_account(payload), data=payload)
    conversation_apply_status(conversation=conv, status=payload.get("status") or "")
    return "processed", f"status {payload.get('status')}"


def _fixed_status(status: str):
    """Legacy agent-bot events: the event name is the status (the body may carry a later one)."""
    def handler(payload: dict) -> tuple[str, str]:
        conv = conversation_upsert(account_id=_account(payload), data=payload)
        conversation_apply_status(conversation=conv, status=status)
        return "processed", f"status {status}"
    handler.__name__ = f"handle_conversation_{status}"
    return handler


handle_conversation_opened = _fixed_status("open")
handle_conversation_resolved = _fixed_status("resolved")


def handle_contact_event(payload: dict) -> tuple[str, str]:
    """contact_created / contact_updated: the identified visitor may merge into a known contact here."""
    contact = contact_upsert(account_id=_account(payload), data=payload)
    merged = contact.chatwoot_id != payload.get("id")
    return "processed", "contact merged" if merged else "contact stored"


def handle_webwidget_triggered(payload: dict) -> tuple[str, str]:
    """`ContactInbox#webhook_data`: the visitor opened the widget; no conversation may exist yet."""
    inbox = payload.get("inbox") or {}
    current = payload.get("current_conversation")
    if isinstance(current, dict) and current.get("id") is not None:
        conversation_upsert(account_id=_account(payload), data=current, contact_data=payload.get("contact"))
        return "processed", "visitor and conversation stored"
    contact = contact_upsert(account_id=_account(payload), data=payload.get("contact") or {}, channel=Channel.WEB)
    identity_upsert(contact=contact, inbox_id=inbox.get("id"), channel=Channel.WEB, source_id=payload.get("source_id"))
    return "processed", "visitor stored"


def handle_typing(payload: dict) -> tuple[str, str]:
    return "ignored", "typing indicators are not stored"


def handle_inbox_event(payload: dict) -> tuple[str, str]:
    # The body includes the channel record with provider tokens (PROTOCOL.md section 1): nothing is kept from it.
    channel_type = payload.get("channel_type") or ""
    return "ignored", f"inbox events are not acted on ({CHANNEL_BY_TYPE.get(channel_type, Channel.OTHER)})"
