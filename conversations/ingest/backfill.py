"""Importing past conversations and messages from Chatwoot's REST API (CONTRACT section 4, PROTOCOL.md section 5).

Sends nothing and never wakes the agent: rows are written directly, with no seam call, no mode switch and no
echo claiming. Idempotent through the unique constraints (conversation per account + display id, message per
Chatwoot id); resumable because each conversation is written in one transaction, so an interrupted run leaves
whole conversations behind and the next run fills in the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from conversations.ingest.contacts import insert_or_get, contact_upsert, identity_upsert
from conversations.ingest.conversations import conversation_upsert
from conversations.ingest.messages import DIRECTION_BY_TYPE, RECEIPT_STATUSES, message_columns
from conversations.ingest.parsing import channel_of, to_datetime
from conversations.models import Conversation, Direction, Message, MessageStatus

# REST and push shapes carry message_type as the DB integer (PROTOCOL.md section 2).
MESSAGE_TYPE_BY_INT = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}


@dataclass
class BackfillStats:
    conversations_seen: int = 0
    conversations_new: int = 0
    messages_new: int = 0
    messages_existing: int = 0
    skipped_old: int = 0
    errors: list[str] = field(default_factory=list)


def conversation_pages(client, *, inbox_id: int | None):
    """Every conversation of every status, page by page until a short page (25 per page)."""
    page = 1
    while True:
        result = client.list_conversations(page=page, status="all", inbox_id=inbox_id)
        yield from result.conversations
        if result.is_last:
            return
        page += 1


def conversation_messages(client, conversation_id: int) -> list[dict]:
    """All messages, newest page first, walking `before=<oldest id seen>` until a page has fewer than 20."""
    collected: dict[int, dict] = {}
    before = None
    while True:
        page = client.list_messages(conversation_id, before=before)
        collected.update({m["id"]: m for m in page.messages})
        if page.is_last or page.oldest_id is None or page.oldest_id == before:
            return [collected[k] for k in sorted(collected)]
        before = page.oldest_id


def backfill_conversation(*, account_id: int, item: dict, messages: list[dict], since: datetime | None,
                          stats: BackfillStats) -> None:
    with transaction.atomic():
        existed = Conversation.objects.filter(account_id=account_id, chatwoot_id=item["id"]).exists()
        conv = _store_conversation(account_id, item)
        stats.conversations_new += 0 if existed else 1
        for rest in messages:
            _store_message(conv, rest, since, stats)
        last = conv.messages.order_by("-chatwoot_created_at").values_list("chatwoot_created_at", flat=True).first()
        if last and (conv.last_message_at is None or last > conv.last_message_at):
            Conversation.objects.filter(pk=conv.pk).update(last_message_at=last)
        wrote = (conv.messages.filter(direction=Direction.INBOUND, private=False).order_by("-chatwoot_created_at")
                 .values_list("chatwoot_created_at", flat=True).first())
        if wrote and (conv.last_inbound_at is None or wrote > conv.last_inbound_at):
            Conversation.objects.filter(pk=conv.pk).update(last_inbound_at=wrote)


def _store_conversation(account_id: int, item: dict) -> Conversation:
    status = item.get("status") or ""
    if status != "resolved":
        conv = conversation_upsert(account_id=account_id, data=item)
    else:
        # A past, resolved conversation must not end the contact's current one: insert it already ended.
        conv = _store_resolved(account_id, item)
    if not conv.chatwoot_status:
        Conversation.objects.filter(pk=conv.pk).update(chatwoot_status=status)
    return conv


def _store_resolved(account_id: int, item: dict) -> Conversation:
    found = Conversation.objects.filter(account_id=account_id, chatwoot_id=item["id"]).first()
    if found:
        return found
    channel = channel_of(item)
    source_id = str((item.get("contact_inbox") or {}).get("source_id") or "")
    contact = contact_upsert(account_id=account_id, data=(item.get("meta") or {}).get("sender") or {},
                             channel=channel, source_id=source_id)
    identity_upsert(contact=contact, inbox_id=item.get("inbox_id"), channel=channel, source_id=source_id)
    started = to_datetime(item.get("created_at")) or timezone.now()
    ended = to_datetime(item.get("last_activity_at")) or started
    conv, _ = insert_or_get(Conversation, {"account_id": account_id, "chatwoot_id": item["id"]}, {
        "inbox_id": item.get("inbox_id"), "channel": channel, "contact": contact, "is_active": False,
        "chatwoot_status": "resolved", "started_at": started, "ended_at": ended,
        "can_reply": bool(item.get("can_reply", True))})
    return conv


def _store_message(conv: Conversation, rest: dict, since: datetime | None, stats: BackfillStats) -> None:
    payload = _as_webhook_message(rest)
    direction = DIRECTION_BY_TYPE.get(payload["message_type"])
    created_at = to_datetime(rest.get("created_at"))
    if direction is None:
        return  # activity messages are not conversation content
    if since and created_at and created_at < since:
        stats.skipped_old += 1
        return
    columns = message_columns(payload, conv, direction)
    columns["status"] = _status(rest, direction)
    columns["chatwoot_created_at"] = created_at
    _, created = insert_or_get(Message, {"chatwoot_id": rest["id"]}, columns)
    if created:
        stats.messages_new += 1
    else:
        stats.messages_existing += 1


def _as_webhook_message(rest: dict) -> dict:
    message_type = rest.get("message_type")
    if isinstance(message_type, int):
        message_type = MESSAGE_TYPE_BY_INT.get(message_type, "activity")
    return {**rest, "message_type": message_type, "created_at": None}


def _status(rest: dict, direction: str) -> str:
    if direction == Direction.INBOUND:
        return MessageStatus.READ if rest.get("status") == "read" else MessageStatus.RECEIVED
    if (rest.get("content_attributes") or {}).get("external_error"):
        return MessageStatus.FAILED
    return RECEIPT_STATUSES.get(rest.get("status"), MessageStatus.SENT)
