"""Conversation upserts and Chatwoot status changes (pending → bot, open → human, resolved → ended).

One active conversation per contact and channel is a database constraint; a new Chatwoot conversation ends the
old one in the same transaction before it is inserted.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Value
from django.utils import timezone

from conversations.ingest.contacts import contact_refresh, contact_upsert, identity_upsert
from conversations.ingest.parsing import channel_of, to_datetime
from conversations.handoff.door import conversation_hand_back, conversation_hand_over
from conversations.models import ContactIdentity, Conversation, ConversationEvent, ConversationMode, HandoffReason

# What a Chatwoot status means for us (CONTRACT section 5: bot ↔ pending, human ↔ open).
MODE_FOR_STATUS = {"pending": ConversationMode.BOT, "open": ConversationMode.HUMAN}


def conversation_upsert(*, account_id: int, data: dict, contact_data: dict | None = None) -> Conversation:
    """Insert or refresh our row for this Chatwoot conversation (`data` = `Conversation#webhook_data`).

    Most deliveries are about a conversation we know, written by the contact we know: one read of both, and
    writes only for what changed. Anything else (a new conversation, another sender, an identity not seen yet)
    takes the full path of upserts."""
    channel = channel_of(data)
    contact_inbox = data.get("contact_inbox") or {}
    source_id = str(contact_inbox.get("source_id") or "")
    contact_data = contact_data or (data.get("meta") or {}).get("sender") or {"id": contact_inbox.get("contact_id")}
    conv = (Conversation.objects.select_related("contact").annotate(
        identity_stored=_identity_stored(data.get("inbox_id"), source_id))
        .filter(account_id=account_id, chatwoot_id=data["id"]).first())
    if conv is not None and _known_sender(conv, contact_data):
        contact_refresh(contact=conv.contact, data=contact_data, channel=channel, source_id=source_id)
        _refresh(conv, data)
        return conv
    contact = contact_upsert(account_id=account_id, data=contact_data, channel=channel, source_id=source_id)
    identity_upsert(contact=contact, inbox_id=data.get("inbox_id"), channel=channel, source_id=source_id)
    if conv is None:
        conv = _insert(account_id=account_id, data=data, contact=contact, channel=channel)
    elif conv.contact_id != contact.pk:
        conv.contact = Conversation.objects.select_related("contact").get(pk=conv.pk).contact
    _refresh(conv, data)
    return conv


def _identity_stored(inbox_id, source_id: str):
    """Whether the conversation's contact already holds this (inbox, source id), read with the conversation."""
    if inbox_id is None or not source_id:
        return Value(True)
    return Exists(ContactIdentity.objects.filter(inbox_id=inbox_id, source_id=source_id[:255],
                                                 contact_id=OuterRef("contact_id")))


def _known_sender(conv: Conversation, contact_data: dict) -> bool:
    """The conversation's own contact wrote, through an identity we already hold."""
    contact = conv.contact
    return not contact.merged_into_id and contact_data.get("id") == contact.chatwoot_id and conv.identity_stored


def _insert(*, account_id: int, data: dict, contact, channel: str) -> Conversation:
    fields = {"inbox_id": data.get("inbox_id"), "channel": channel, "contact": contact,
              "chatwoot_status": "", "can_reply": bool(data.get("can_reply", True)),
              "started_at": to_datetime(data.get("created_at")) or timezone.now(),
              "additional_attributes": data.get("additional_attributes") or {}}
    for _ in range(3):
        try:
            with transaction.atomic():
                _end_active(contact_id=contact.pk, channel=channel, reason="new_conversation")
                return Conversation.objects.create(account_id=account_id, chatwoot_id=data["id"], **fields)
        except IntegrityError:
            # Either the same conversation was inserted concurrently (use it) or another new conversation of
            # this contact and channel won the active slot (end it too and try again).
            found = Conversation.objects.filter(account_id=account_id, chatwoot_id=data["id"]).first()
            if found:
                return found
    raise IntegrityError(f"could not insert conversation {data['id']}: active slot kept being taken")


def _end_active(*, contact_id: int, channel: str, reason: str) -> None:
    now = timezone.now()
    for conv_id in Conversation.objects.filter(contact_id=contact_id, channel=channel, is_active=True).values_list(
            "pk", flat=True):
        conversation_end(conversation_id=conv_id, reason=reason, now=now)


def conversation_end(*, conversation_id: int, reason: str, now=None) -> bool:
    now = now or timezone.now()
    ended = Conversation.objects.filter(pk=conversation_id, is_active=True).update(
        is_active=False, ended_at=now, updated_at=now)
    if ended:
        ConversationEvent.objects.create(conversation_id=conversation_id, kind="ended", actor="chatwoot",
                                         before="active", after="ended", reason=reason)
    return bool(ended)


def conversation_reopen(*, conversation: Conversation) -> bool:
    """A resolved conversation the contact writes into again becomes active, unless a newer one holds the slot."""
    if conversation.is_active:
        return False
    try:
        with transaction.atomic():
            reopened = Conversation.objects.filter(pk=conversation.pk, is_active=False).update(
                is_active=True, ended_at=None, updated_at=timezone.now())
    except IntegrityError:
        return False
    if reopened:
        ConversationEvent.objects.create(conversation_id=conversation.pk, kind="reopened", actor="chatwoot",
                                         before="ended", after="active")
        conversation.is_active, conversation.ended_at = True, None
    return bool(reopened)


def _refresh(conv: Conversation, data: dict) -> None:
    assignee = (data.get("meta") or {}).get("assignee") or {}
    fields = {"can_reply": bool(data.get("can_reply", conv.can_reply)),
              "assignee_chatwoot_id": assignee.get("id") if assignee.get("type") == "user" else None}
    if data.get("additional_attributes"):
        fields["additional_attributes"] = data["additional_attributes"]
    changed = {k: v for k, v in fields.items() if getattr(conv, k) != v}
    if changed:
        Conversation.objects.filter(pk=conv.pk).update(**changed, updated_at=timezone.now())
        for key, value in changed.items():
            setattr(conv, key, value)


def conversation_apply_status(*, conversation: Conversation, status: str) -> None:
    """Record the Chatwoot status we saw; act on transitions only (first sight just records it).

    mirror=False: the change came from Chatwoot, whose status already says so.
    """
    old = conversation.chatwoot_status
    if not status or status == old:
        return
    Conversation.objects.filter(pk=conversation.pk).update(chatwoot_status=status, updated_at=timezone.now())
    conversation.chatwoot_status = status
    if status == "resolved":
        conversation_end(conversation_id=conversation.pk, reason="resolved in chatwoot")
        return
    if old == "resolved":
        conversation_reopen(conversation=conversation)
    mode = MODE_FOR_STATUS.get(status)
    if old and mode and mode != conversation.mode:
        if mode == ConversationMode.HUMAN:
            conversation_hand_over(conversation_id=conversation.pk, reason=HandoffReason.CHATWOOT_OPENED,
                                   actor="chatwoot", mirror=False)
        else:
            conversation_hand_back(conversation_id=conversation.pk, actor="chatwoot",
                                   reason=f"chatwoot status {old} → {status}", mirror=False)
        conversation.refresh_from_db(fields=["mode", "handoff_reason", "handoff_at"])
