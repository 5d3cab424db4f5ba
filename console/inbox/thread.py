"""The thread of the conversation page: the transcript's messages and the audit rows as system lines, oldest
first, with who wrote each, the delivery tick of our messages, and a fingerprint that changes whenever anything
the thread shows changes (so the page's poll can answer "nothing new" in three indexed queries).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conversations.handoff import TranscriptLine, conversation_transcript, reason_label
from conversations.models import (
    Conversation, ConversationEvent, ConversationMode, Direction, Message, MessageOrigin, MessageStatus, SenderKind,
)

HUMAN, BOT = ConversationMode.HUMAN, ConversationMode.BOT
S = MessageStatus

# The tick under one of our messages: (css class, mark, words). Queued and sending look the same to staff.
TICKS = {
    S.QUEUED: ("queued", "◷", gettext_lazy("queued")),
    S.SENDING: ("queued", "◷", gettext_lazy("queued")),
    S.SENT: ("sent", "✓", gettext_lazy("sent")),
    S.DELIVERED: ("delivered", "✓✓", gettext_lazy("delivered")),
    S.READ: ("read", "✓✓", gettext_lazy("read")),
    S.FAILED: ("failed", "⚠", gettext_lazy("failed")),
}


@dataclass(frozen=True)
class Tick:
    css: str
    mark: str
    words: str


@dataclass
class ThreadItem:
    """One line of the thread: a message (with its author and tick) or a system line (an audit row's sentence)."""

    at: datetime
    kind: str  # "message" or "system"
    text: str = ""
    message: Message | None = None
    author: str = ""
    side: str = ""  # "in" (the contact), "out" (us), "note" (a private note)
    tick: Tick | None = None
    can_retry: bool = False
    attachments: list[dict] = field(default_factory=list)


def conversation_thread(conversation: Conversation) -> tuple[list[ThreadItem], int]:
    """The latest messages (the transcript service's window) with the audit rows of the same period, oldest first;
    and the conversation's total number of messages."""
    lines, total = conversation_transcript(conversation=conversation)
    items = [_message_item(line, conversation) for line in lines]
    events = ConversationEvent.objects.filter(conversation=conversation).exclude(kind__in=SILENT_EVENTS)
    if lines and total > len(lines):
        events = events.filter(created_at__gte=lines[0].message.created_at)
    items += [item for item in (_system_item(event) for event in events) if item is not None]
    items.sort(key=lambda item: item.at)
    return items, total


def thread_fingerprint(conversation_id: int) -> str:
    """Changes when a message arrives or changes status, an audit row is written, or the conversation's mode,
    owner or reason moves (every such write bumps the row's `updated_at`)."""
    messages = Message.objects.filter(conversation_id=conversation_id).aggregate(
        n=Count("pk"), changed=Max("updated_at"))
    last_event = ConversationEvent.objects.filter(conversation_id=conversation_id).aggregate(last=Max("pk"))["last"]
    conversation = Conversation.objects.filter(pk=conversation_id).values_list(
        "updated_at", "mode", "taken_by_id", "handoff_reason").first()
    raw = repr((messages["n"], messages["changed"], last_event, conversation))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


# --- messages -----------------------------------------------------------------------------------------------------

def _message_item(line: TranscriptLine, conversation: Conversation) -> ThreadItem:
    message = line.message
    ours = message.direction == Direction.OUTBOUND
    side = "note" if message.private else ("out" if ours else "in")
    tick = Tick(*TICKS[message.status]) if ours and message.status in TICKS else None
    if tick and message.private and message.status != S.FAILED:
        tick = None  # a private note is never delivered to anyone; only its failure matters
    return ThreadItem(at=message.created_at, kind="message", message=message, author=author(message, conversation),
                      side=side, tick=tick, can_retry=line.can_retry, attachments=line.attachments)


def author(message: Message, conversation: Conversation) -> str:
    if message.direction == Direction.INBOUND:
        return message.sender_name or str(conversation.contact)
    if message.origin == MessageOrigin.STAFF:
        user = message.staff_user
        return (user.get_full_name() or user.get_username()) if user else _("Staff (deleted user)")
    if message.origin == MessageOrigin.BOT:
        return _("Bot")
    if message.origin == MessageOrigin.SYSTEM:
        return _("System")
    return _chatwoot_author(message)


def _chatwoot_author(message: Message) -> str:
    """Written in Chatwoot itself: by an agent, another bot, or from the business's phone."""
    name = message.sender_name or str(message.sender_chatwoot_id or "?")
    if message.sender_kind == SenderKind.USER:
        return _("%(name)s (in Chatwoot)") % {"name": name}
    if message.sender_kind == SenderKind.AGENT_BOT:
        return _("Chatwoot bot %(name)s") % {"name": name}
    return _("Business phone")


# --- system lines -------------------------------------------------------------------------------------------------

# A staff reply is already in the thread as the message itself.
SILENT_EVENTS = ("staff_reply",)


def _system_item(event: ConversationEvent) -> ThreadItem | None:
    sentence = EVENT_SENTENCES.get(event.kind, _unknown_event)(event)
    return ThreadItem(at=event.created_at, kind="system", text=sentence) if sentence else None


def _mode_changed(event: ConversationEvent) -> str:
    who = _actor(event.actor)
    if event.after == HUMAN:
        if event.actor == "bot":
            return _("Handed to a person: %(reason)s") % {"reason": reason_label(event.reason)}
        if event.actor == "system":
            return _("Handed to a person automatically: %(reason)s") % {"reason": reason_label(event.reason)}
        if event.actor == "chatwoot":
            return _("Taken in Chatwoot: %(reason)s") % {"reason": reason_label(event.reason)}
        return _("%(who)s took the conversation") % {"who": who}
    if event.actor == "system":
        return _("Handed back to the bot automatically: nobody on staff replied in time")
    if event.actor == "chatwoot":
        return _("Handed back to the bot from Chatwoot")
    return _("%(who)s handed the conversation back to the bot") % {"who": who}


def _actor(actor: str) -> str:
    return {"bot": _("The bot"), "system": _("The system"), "chatwoot": _("Chatwoot")}.get(actor, actor)


def _unknown_event(event: ConversationEvent) -> str:
    # Kinds added later still read as a line: what happened (the stored kind, made readable) and by whom.
    what = event.kind.replace("_", " ")
    return _("%(what)s (by %(who)s)") % {"what": what, "who": _actor(event.actor)}


# From an audit row's kind to the sentence staff read in the thread. New kinds: add a line here (until then
# `_unknown_event` writes them plainly).
EVENT_SENTENCES = {
    "mode_changed": _mode_changed,
    "taken_over": lambda e: _("%(who)s took the conversation") % {"who": _actor(e.actor)},
    "wait_alert": lambda e: _("Waiting too long for a person: staff were notified"),
    "message_retried": lambda e: _("%(who)s sent a failed message again") % {"who": _actor(e.actor)},
    "ended": lambda e: _("Closed in Chatwoot"),
    "reopened": lambda e: _("Reopened: the contact wrote again"),
}
