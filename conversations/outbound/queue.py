"""Queueing replies: the row first (the database is the record of what is owed), the send task after commit."""

from __future__ import annotations

import uuid

from django.db import transaction

from conversations.messages import message_transition
from conversations.models import Direction, Message, MessageOrigin, MessageStatus, OutboundNotice, SenderKind
from core.metrics import outbound_messages_total
from core.queue import enqueue_on_commit

# WhatsApp Cloud turns up to 3 input_select items into reply buttons; more become a list (PROTOCOL.md section 8).
# We send more than 3 as a numbered list in the text instead: it reads the same on every channel.
MAX_BUTTONS = 3
# Meta rejects reply-button titles over 20 characters; Chatwoot does not check (PROTOCOL.md section 8).
BUTTON_TITLE_MAX = 20
SEND_TASK = "conversations.tasks.send_message"


def reply_queue(
    *,
    conversation_id: int,
    content: str,
    options: list[dict] | list[str] | None = None,
    private: bool = False,
    origin: str = MessageOrigin.BOT,
    staff_user_id: int | None = None,
    send_now: bool = False,
    notice_kind: str = "",
    notice_fields: dict | None = None,
) -> Message:
    """Store an outbound reply and have it sent after commit. Options: `{"title", "value"}` dicts or plain strings;
    up to three go as buttons (`input_select`) with unique titles, more as a numbered list.

    By default the row is `queued` and a send task is enqueued after commit. `send_now=True` is for a caller that
    posts it itself right after its commit (`outbound.send.message_post_claimed`, the agent's turn): the row is
    born claimed (`sending`, one attempt), so no task is needed, and if that caller dies before posting, the
    stuck-`sending` sweep looks it up in Chatwoot and re-posts only if it is not there.

    `notice_kind` / `notice_fields`: the message tells an order notice; past WhatsApp's 24-hour window it is sent
    as the template staff set for that kind (`conversations.whatsapp_templates`)."""
    items = unique_options(options or [], limit=BUTTON_TITLE_MAX if len(options or []) <= MAX_BUTTONS else None)
    text, content_type, attributes = render(content, items)
    message = Message.objects.create(
        conversation_id=conversation_id,
        direction=Direction.OUTBOUND,
        origin=origin,
        sender_kind=SenderKind.USER if origin == MessageOrigin.STAFF else SenderKind.AGENT_BOT,
        private=private,
        content=text,
        content_type=content_type,
        content_attributes=attributes,
        options=items,
        status=MessageStatus.SENDING if send_now else MessageStatus.QUEUED,
        send_attempts=1 if send_now else 0,
        echo_key=uuid.uuid4().hex,
        staff_user_id=staff_user_id,
    )
    if notice_kind:
        OutboundNotice.objects.create(message=message, kind=notice_kind, fields=notice_fields or {})
    if not send_now:
        enqueue_on_commit(SEND_TASK, message.pk)
    transaction.on_commit(lambda: outbound_messages_total.labels(status="queued").inc())
    return message


def conversation_post_private_note(*, conversation_id: int, content: str) -> Message:
    """Queue a private note in Chatwoot (never sent to the contact), e.g. the handoff summary for staff."""
    return reply_queue(conversation_id=conversation_id, content=content, private=True, origin=MessageOrigin.SYSTEM)


def message_retry(*, message_id: int) -> bool:
    """Staff retry of a failed outbound message: back to `queued` with a fresh attempt budget. False if the message
    was not failed (already retried, or sent meanwhile)."""
    with transaction.atomic():
        moved = message_transition(
            message_id=message_id, from_status=MessageStatus.FAILED, to_status=MessageStatus.QUEUED,
            send_attempts=0, next_attempt_at=None, error="",
        )
        if moved:
            enqueue_on_commit(SEND_TASK, message_id)
    return moved


def unique_options(options: list, *, limit: int | None) -> list[dict]:
    """Normalise to `{"title", "value"}` and make titles unique: the contact's choice comes back as the title only
    (WhatsApp drops the value), so two equal titles could not be told apart."""
    items, seen = [], set()
    for option in options:
        title = str(option.get("title") if isinstance(option, dict) else option).strip()
        value = str(option.get("value", title) if isinstance(option, dict) else option)
        title = _unique(title[:limit] if limit else title, seen, limit)
        seen.add(title.casefold())
        items.append({"title": title, "value": value})
    return items


def _unique(title: str, seen: set[str], limit: int | None) -> str:
    candidate, n = title, 2
    while candidate.casefold() in seen:
        suffix = f" ({n})"
        candidate = (title[: limit - len(suffix)] if limit else title) + suffix
        n += 1
    return candidate


def render(content: str, items: list[dict]) -> tuple[str, str, dict]:
    """(text, content_type, content_attributes) as posted to Chatwoot."""
    if not items:
        return content, "text", {}
    if len(items) <= MAX_BUTTONS:
        return content, "input_select", {"items": items}
    listing = "\n".join(f"{n}. {item['title']}" for n, item in enumerate(items, start=1))
    return f"{content}\n\n{listing}".strip(), "text", {}
