"""Turn builder: stored `conversations.Message` rows → the text the router and the agents read.

One function per content kind, chosen by a dispatch table. Attachments are read in both the shape ingestion stores
(`url`, `transcription`, `name`) and Chatwoot's own (`data_url`, `transcribed_text`, `fallback_title`, `meta`), see
shared/chatwoot/PROTOCOL.md "Attachment push_event_data".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from agents.models import Turn
from conversations.models import Message

# Reply headers mail clients put above the quoted history (Gmail, Outlook, Apple Mail; Spanish and English).
_QUOTE_HEADER = re.compile(
    r"^\s*(El .{0,200}escribi[óo]\s*:|On .{0,200}wrote\s*:|-{2,}\s*(Original Message|Mensaje original)\s*-{2,}|"
    r"De:\s.+|From:\s.+)\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^\s*(--\s*|Enviado desde mi .+|Sent from my .+)$", re.IGNORECASE)


@dataclass
class TurnInput:
    """What one turn is about: the folded text of one or more messages, oldest first."""

    text: str
    message_ids: list[int]
    kinds: list[str] = field(default_factory=list)

    @property
    def last_message_id(self) -> int:
        return self.message_ids[-1]


def _attachments(message: Message) -> list[dict]:
    return [a for a in (message.attachments or []) if isinstance(a, dict)]


def _file_type(attachment: dict) -> str:
    return str(attachment.get("file_type") or "file")


def message_kind(message: Message) -> str:
    """text | email | audio | image | file | location | contact | sticker | button."""
    attributes = message.content_attributes or {}
    if attributes.get("submitted_values") or message.content_type == "input_select":
        return "button"
    if message.content_type == "sticker" or attributes.get("is_sticker"):
        return "sticker"
    if message.content_type == "incoming_email" or message.subject or message.quoted_text:
        return "email"
    types = [_file_type(a) for a in _attachments(message)]
    for kind in ("audio", "location", "contact", "sticker"):
        if kind in types:
            return kind
    if "image" in types or "video" in types:
        return "image"
    return "file" if types else "text"


def _text(message: Message) -> str:
    return (message.content or "").strip()


def strip_quoted(text: str) -> str:
    """The new part of an e-mail body: stops at the reply header, drops '>' lines and the signature."""
    kept = []
    for line in text.splitlines():
        if _QUOTE_HEADER.match(line) or _SIGNATURE.match(line):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


def _email(message: Message) -> str:
    # The subject is metadata ("Re: Cotización"), not what the contact asks now; the router reads the new text.
    body = strip_quoted(message.content or "")
    return body or (message.subject or "").removeprefix("Re: ").removeprefix("RE: ").strip()


def _audio(message: Message) -> str:
    spoken = [
        str(a.get("transcription") or a.get("transcribed_text") or "").strip()
        for a in _attachments(message) if _file_type(a) == "audio"
    ]
    spoken = [s for s in spoken if s]
    if spoken:
        return " ".join(spoken)
    return _text(message) or "[nota de voz sin transcripción]"


def _attachment_note(attachment: dict) -> str:
    label = {"image": "imagen", "video": "video", "file": "archivo"}.get(_file_type(attachment), "archivo")
    name = attachment.get("name") or attachment.get("fallback_title") or ""
    if not name:
        url = str(attachment.get("url") or attachment.get("data_url") or "")
        name = url.rsplit("/", 1)[-1] if url else ""
    return f"[{label} adjunta: {name}]" if name else f"[{label} adjunta]"


def _with_attachments(message: Message) -> str:
    notes = " ".join(_attachment_note(a) for a in _attachments(message))
    return f"{_text(message)} {notes}".strip()


def _location(message: Message) -> str:
    for a in _attachments(message):
        if _file_type(a) == "location":
            title = a.get("fallback_title") or a.get("name") or ""
            lat, lon = a.get("coordinates_lat"), a.get("coordinates_long")
            where = f" ({lat}, {lon})" if lat is not None and lon is not None else ""
            return f"[ubicación compartida{': ' + title if title else ''}{where}]"
    return _text(message) or "[ubicación compartida]"


def _contact(message: Message) -> str:
    cards = []
    for a in _attachments(message):
        if _file_type(a) == "contact":
            meta = a.get("meta") or {}
            name = " ".join(str(meta.get(k) or "") for k in ("firstName", "lastName")).strip()
            cards.append(f"[contacto compartido: {name or 'sin nombre'} {a.get('fallback_title') or ''}]".strip())
    return " ".join(cards) or _text(message) or "[contacto compartido]"


def _sticker(message: Message) -> str:
    return "[sticker]"


def _button(message: Message) -> str:
    submitted = (message.content_attributes or {}).get("submitted_values") or []
    titles = [str(v.get("title") or v.get("value") or "") for v in submitted if isinstance(v, dict)]
    # WhatsApp button replies arrive as plain text with the title as content (PROTOCOL.md 6.2 notes).
    return " ".join(t for t in titles if t) or _text(message)


TURN_TEXT: dict[str, Callable[[Message], str]] = {
    "text": _text,
    "email": _email,
    "audio": _audio,
    "image": _with_attachments,
    "file": _with_attachments,
    "location": _location,
    "contact": _contact,
    "sticker": _sticker,
    "button": _button,
}


def turn_text(message: Message) -> str:
    return TURN_TEXT[message_kind(message)](message)


def build_turn(messages: Iterable[Message]) -> TurnInput:
    """Fold messages (oldest first) into one turn: their texts joined by newlines, empty ones left out."""
    messages = list(messages)
    texts = [turn_text(m) for m in messages]
    return TurnInput(
        text="\n".join(t for t in texts if t),
        message_ids=[m.pk for m in messages],
        kinds=[message_kind(m) for m in messages],
    )


def turn_replies_add(*, turn_id: int, messages: list[Message]) -> None:
    """A reply the turn caused later (the quote once Odoo has the lines) joins the turn's record, so staff and
    the playground see what the bot answered to those messages. Caller holds the transaction."""
    turn = Turn.objects.select_for_update().filter(pk=turn_id).first()
    if turn is None or not messages:
        return
    turn.reply_message_ids = list(turn.reply_message_ids or []) + [m.pk for m in messages]
    turn.reply = "\n\n".join(part for part in [turn.reply, *(m.content for m in messages)] if part)
    turn.save(update_fields=["reply_message_ids", "reply"])
