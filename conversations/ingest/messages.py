"""message_created / message_updated: store once, reconcile out-of-order events, decide who speaks next."""

from __future__ import annotations


from django.utils import timezone

from conversations.ingest.arrival import arrived_at
from conversations.ingest.conversations import conversation_apply_status, conversation_reopen, conversation_upsert
from conversations.ingest.parsing import latest_push_message, sender_kind, to_datetime
from conversations.messages import message_advance
from conversations.handoff.door import conversation_hand_back, conversation_hand_over
from conversations.models import (
    AnswerState, Conversation, ConversationMode, Direction, HandoffReason, Message, MessageOrigin, MessageStatus,
    SenderKind,
)
from conversations.outbound import claim_echo, claim_echo_at_receipt, claim_echo_known
from core.queue import enqueue_on_commit

# The agent's task, enqueued by name: the agents app stands above this one.
ANSWER_TASK = "agents.tasks.process_inbound_message"

DIRECTION_BY_TYPE = {"incoming": Direction.INBOUND, "outgoing": Direction.OUTBOUND, "template": Direction.OUTBOUND}
OWN_REPLY = "echo of our own reply"
RECEIPT_STATUSES = {"sent": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED, "read": MessageStatus.READ,
                    "failed": MessageStatus.FAILED}


def handle_message_created(payload: dict) -> tuple[str, str]:
    return _handle_message(payload)


def handle_message_updated(payload: dict) -> tuple[str, str]:
    """Receipts, edits and failures; if the message was never seen (out of order), it is stored now."""
    return _handle_message(payload)


def _handle_message(payload: dict) -> tuple[str, str]:
    direction = DIRECTION_BY_TYPE.get(payload.get("message_type"))
    if direction is None:
        return "ignored", f"message_type {payload.get('message_type')!r} is not stored"
    known = Message.objects.filter(chatwoot_id=payload["id"]).first()
    if known is not None and known.origin != MessageOrigin.CHATWOOT:
        return own_reply_settle(message=known, payload=payload)
    conv = conversation_upsert(account_id=payload["account"]["id"], data=payload["conversation"],
                               contact_data=_contact_sender(payload))
    conv_status = payload["conversation"].get("status") or ""
    if known is not None:
        _apply_update(known, payload)
        _note_status(conv, conv_status)
        return "processed", "updated"
    if direction == Direction.OUTBOUND:
        ours = claim_echo(conversation=conv, payload=payload)  # the echo came before our POST was answered
        if ours is not None:
            _apply_update(ours, payload)
            _note_status(conv, conv_status)
            return "processed", OWN_REPLY
    return _store_new(payload, conv, direction, conv_status)


def may_be_own_reply(payload: dict) -> bool:
    """An outgoing message with a Chatwoot id: what our reply's echo and receipts look like (no query)."""
    outgoing = DIRECTION_BY_TYPE.get(payload.get("message_type")) == Direction.OUTBOUND
    return outgoing and isinstance(payload.get("id"), int)


def own_reply_find(payload: dict) -> Message | None:
    """Our own reply when `payload` is its echo or a receipt about it, numbered now if our POST has not been
    answered yet (run inside a transaction)."""
    account_id = (payload.get("account") or {}).get("id")
    if not may_be_own_reply(payload) or not isinstance(account_id, int):
        return None
    if payload.get("event") == "message_updated":
        # A receipt follows the echo, which numbered our row: the plain look-up by id, with no candidates to match.
        return Message.objects.filter(chatwoot_id=payload["id"]).exclude(origin=MessageOrigin.CHATWOOT).first()
    return claim_echo_at_receipt(account_id=account_id, payload=payload)


def own_reply_settle(*, message: Message, payload: dict) -> tuple[str, str]:
    """Our reply, recorded when its POST returned: a status step at most, nothing about the contact or the
    conversation to upsert and no turn to start."""
    claim_echo_known(message=message)
    _apply_update(message, payload)
    return "processed", OWN_REPLY


def _store_new(payload: dict, conv: Conversation, direction: str, conv_status: str) -> tuple[str, str]:
    owed = direction == Direction.INBOUND and _answer_owed_now(conv, payload, conv_status)
    columns = message_columns(payload, conv, direction)
    # A concurrent delivery of the same message loses the unique constraint; the whole delivery then runs again
    # and finds the row (conversations.ingest.process).
    message = Message.objects.create(chatwoot_id=payload["id"], answer=AnswerState.PENDING if owed else "",
                                     created_at=arrived_at(), **columns)
    _touch_conversation(conv, message)
    if owed:
        enqueue_on_commit(ANSWER_TASK, message.pk, conv.pk)
    elif direction == Direction.OUTBOUND:
        _note_status(conv, conv_status)
        _switch_to_human_if_staff_wrote(conv, message, payload)
    else:
        _hand_inbound_to_agent(conv, message, conv_status)
    return "processed", "stored"


def _answer_owed_now(conv: Conversation, payload: dict, conv_status: str) -> bool:
    """The common case, decided before the insert: the contact writes into a live bot conversation whose status
    we already know (nothing to reopen or hand back first)."""
    return (not payload.get("private") and sender_kind(payload.get("sender")) == SenderKind.CONTACT
            and conv.is_active and conv.mode == ConversationMode.BOT
            and conv.chatwoot_status not in ("", "resolved") and conv_status != "resolved")


def _note_status(conv: Conversation, status: str) -> None:
    """Message payloads carry the conversation status as of Chatwoot's job time, which may trail a status change
    (no ordering guarantee), so they only fill a status never seen or reopen a resolved one; mode changes come
    from the conversation events."""
    if conv.chatwoot_status in ("", "resolved") and status != "resolved":
        conversation_apply_status(conversation=conv, status=status)


def _contact_sender(payload: dict) -> dict | None:
    sender = payload.get("sender")
    if payload.get("message_type") == "incoming" and sender and sender_kind(sender) == SenderKind.CONTACT:
        return sender
    return None


def message_columns(payload: dict, conv: Conversation, direction: str) -> dict:
    sender = payload.get("sender") or {}
    attributes = payload.get("content_attributes") or {}
    subject, quoted, content = _email_parts(payload)
    return {
        "conversation": conv, "direction": direction, "origin": MessageOrigin.CHATWOOT,
        "sender_kind": sender_kind(payload.get("sender")), "sender_chatwoot_id": sender.get("id"),
        "sender_name": (sender.get("name") or "")[:255], "private": bool(payload.get("private")),
        "content": content, "content_type": payload.get("content_type") or "text",
        "content_attributes": attributes, "attachments": _attachments(payload), "subject": subject[:500],
        "quoted_text": quoted, "source_id": (payload.get("source_id") or "")[:255],
        "status": _initial_status(payload, direction), "error": attributes.get("external_error") or "",
        "chatwoot_created_at": to_datetime(payload.get("created_at")),
    }


def _initial_status(payload: dict, direction: str) -> str:
    if direction == Direction.INBOUND:
        return MessageStatus.RECEIVED
    if (payload.get("content_attributes") or {}).get("external_error"):
        return MessageStatus.FAILED
    push = latest_push_message(payload) or {}
    return RECEIPT_STATUSES.get(push.get("status"), MessageStatus.SENT)


def _email_parts(payload: dict) -> tuple[str, str, str]:
    """E-mail: `content` is the full text with quoted history; `text_content.quoted` is the new text only."""
    email = (payload.get("content_attributes") or {}).get("email") or {}
    full = payload.get("content") or ""
    if not isinstance(email, dict) or not email:
        return "", "", full
    new_text = ((email.get("text_content") or {}).get("quoted") or "").strip() or full
    history = full[len(new_text):].strip() if full.startswith(new_text) else ""
    if not history and full != new_text:
        history = full
    return email.get("subject") or "", history, new_text


def _attachments(payload: dict) -> list[dict]:
    return [
        {"file_type": a.get("file_type") or "file", "url": a.get("data_url") or "",
         "transcription": a.get("transcribed_text") or "", "content_type": a.get("content_type") or "",
         "name": (a.get("data_url") or "").rsplit("/", 1)[-1], "chatwoot_id": a.get("id")}
        for a in payload.get("attachments") or [] if isinstance(a, dict)
    ]


def _apply_update(message: Message, payload: dict) -> None:
    """Edits (content, attributes, source id) and receipts; receipts only move forward (message_advance)."""
    attributes = payload.get("content_attributes") or {}
    fields = {}
    if payload.get("source_id") and payload["source_id"] != message.source_id:
        fields["source_id"] = payload["source_id"][:255]
    if message.origin == MessageOrigin.CHATWOOT:
        _, _, content = _email_parts(payload)
        if content and content != message.content:
            fields["content"] = content
        if attributes != message.content_attributes:
            fields["content_attributes"] = attributes
    if fields:
        fields["updated_at"] = timezone.now()
        Message.objects.filter(pk=message.pk).update(**fields)
        for name, value in fields.items():  # what was written, without reading the row back
            setattr(message, name, value)
    _apply_receipt(message, payload, attributes)


def _apply_receipt(message: Message, payload: dict, attributes: dict) -> None:
    if attributes.get("external_error"):
        message_advance(message=message, to_status=MessageStatus.FAILED, error=str(attributes["external_error"]))
        return
    status = RECEIPT_STATUSES.get((latest_push_message(payload) or {}).get("status"))
    if status and status != MessageStatus.FAILED:
        if message.direction == Direction.INBOUND and status != MessageStatus.READ:
            return
        message_advance(message=message, to_status=status)


def _touch_conversation(conv: Conversation, message: Message) -> None:
    when = message.chatwoot_created_at or timezone.now()
    contact_wrote = {"last_inbound_at": when} if message.direction == Direction.INBOUND and not message.private else {}
    Conversation.objects.filter(pk=conv.pk).update(last_message_at=when, updated_at=timezone.now(), **contact_wrote)


def _switch_to_human_if_staff_wrote(conv: Conversation, message: Message, payload: dict) -> None:
    """A human agent in Chatwoot (sender user) or the business phone (no sender / external_echo) took over."""
    if message.private:
        return  # an internal note is not a reply to the contact
    echo = bool((payload.get("content_attributes") or {}).get("external_echo"))
    if message.sender_kind in (SenderKind.USER, SenderKind.NONE) or echo:
        conversation_hand_over(conversation_id=conv.pk, reason=HandoffReason.HUMAN_REPLY, actor="chatwoot",
                               mirror=False)


def _hand_inbound_to_agent(conv: Conversation, message: Message, conv_status: str) -> None:
    if message.private or message.sender_kind != SenderKind.CONTACT:
        return  # private notes are stored, never answered
    if conv.chatwoot_status == "resolved" or not conv.is_active:
        # The contact writes into a resolved conversation: it is theirs again, and the bot's.
        conversation_reopen(conversation=conv)
        conversation_hand_back(conversation_id=conv.pk, actor="chatwoot", reason="contact wrote after resolve",
                               mirror=False)
    _note_status(conv, conv_status)
    conv.refresh_from_db(fields=["mode", "is_active"])
    if conv.mode == ConversationMode.BOT and conv.is_active:
        _owe_answer(message, conv)


def _owe_answer(message: Message, conv: Conversation) -> None:
    """Record in this transaction that the agent owes an answer, then nudge the agent after commit: a dropped
    task leaves a pending row that the agents' sweeper re-drives."""
    Message.objects.filter(pk=message.pk).update(answer=AnswerState.PENDING)
    enqueue_on_commit(ANSWER_TASK, message.pk, conv.pk)
