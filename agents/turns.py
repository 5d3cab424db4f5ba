"""Turn builder: stored `conversations.Message` rows → the text the router and the agents read.

One function per content kind, chosen by a dispatch table. Attachments are read in both the shape ingestion stores
(`url`, `transcription`, `name`) and Chatwoot's own (`data_url`, `transcribed_text`, `fallback_title`, `meta`), see
shared/chatwoot/PROTOCOL.md "Attachment push_event_data".

Media are understood before the turn is built (`agents.media`), and what was understood is stored on the
attachment: a voice note's `transcription` (Chatwoot's, or ours with `transcribed_by`), a photo's or PDF's
`order_lines` (with `read_by`). A medium nobody could understand adds no placeholder to the text: it is listed in
`TurnInput.unread`, and the turn says so plainly instead of routing words that are not the contact's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from agents.models import Turn
from conversations.models import Message
from integrations.openai.order_lines import OrderLine

# Reply headers mail clients put above the quoted history (Gmail, Outlook, Apple Mail; Spanish and English).
_QUOTE_HEADER = re.compile(
    r"^\s*(El .{0,200}escribi[óo]\s*:|On .{0,200}wrote\s*:|-{2,}\s*(Original Message|Mensaje original)\s*-{2,}|"
    r"De:\s.+|From:\s.+)\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^\s*(--\s*|Enviado desde mi .+|Sent from my .+)$", re.IGNORECASE)


# Media we can understand (with a key), by the attachment's kind; video and other files we cannot.
READABLE_MEDIA = ("audio", "image", "pdf")
MEDIA_MESSAGE_KINDS = ("audio", "image", "file", "email")
# Why a medium is in `TurnInput.unread`.
UNAVAILABLE = "unavailable"  # not understood now: no key, the download or the model failed
SILENT = "silent"  # a voice note transcribed to nothing
NO_LIST = "no_list"  # a photo or PDF the model read: no purchase list in it
UNSUPPORTED = "unsupported"  # a video or a file we do not read


@dataclass(frozen=True)
class Unread:
    kind: str  # audio | image | pdf | video | file
    why: str  # UNAVAILABLE | SILENT | NO_LIST | UNSUPPORTED


@dataclass
class TurnInput:
    """What one turn is about: the folded text of one or more messages, oldest first, the order lines read from
    photos or PDFs of purchase lists, and the media that could not be understood."""

    text: str
    message_ids: list[int]
    kinds: list[str] = field(default_factory=list)
    read_lines: list[OrderLine] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)

    @property
    def last_message_id(self) -> int:
        return self.message_ids[-1]


def _attachments(message: Message) -> list[dict]:
    return [a for a in (message.attachments or []) if isinstance(a, dict)]


def _file_type(attachment: dict) -> str:
    return str(attachment.get("file_type") or "file")


def media_kind(attachment: dict) -> str | None:
    """audio | image | pdf | video | file for a medium; None for what is not one (location, contact card...)."""
    file_type = _file_type(attachment)
    if file_type in ("audio", "image", "video"):
        return file_type
    if file_type != "file":
        return None
    content_type = str(attachment.get("content_type") or "").split(";", 1)[0].strip().lower()
    name = str(attachment.get("name") or attachment.get("data_url") or attachment.get("url") or "").lower()
    if content_type == "application/pdf" or name.endswith(".pdf"):
        return "pdf"
    return "image" if content_type.startswith("image/") else "file"  # a photo sent as a document


def spoken_text(attachment: dict) -> str:
    """The voice note's transcript: ours (`transcription`) or Chatwoot's (`transcribed_text`), "" when none."""
    return str(attachment.get("transcription") or attachment.get("transcribed_text") or "").strip()


def needs_reading(attachment: dict) -> bool:
    """A medium we could understand and nobody has yet: a voice note without a transcript, a photo or PDF not
    read. A silent note we transcribed, or a photo we read, is never read again."""
    kind = media_kind(attachment)
    if kind == "audio":
        return not spoken_text(attachment) and not attachment.get("transcribed_by")
    return kind in READABLE_MEDIA and not attachment.get("read_by")


def read_lines(attachment: dict) -> list[OrderLine]:
    """The order lines stored on a photo or PDF we read (none unless the model called it a legible list)."""
    if not attachment.get("read_by") or not attachment.get("legible"):
        return []
    return [OrderLine(str(line["product_text"]), line.get("product_code"), float(line["quantity"]), line.get("unit"))
            for line in attachment.get("order_lines") or [] if isinstance(line, dict)]


def line_text(line: OrderLine) -> str:
    """A read line as the contact would have typed it ("20 kg almendra entera"): the order lane reads the unit
    said before the product words from the turn's text."""
    return " ".join(part for part in (f"{line.quantity:g}", line.unit or "", line.product_text) if part)


def media_attachments(message: Message) -> list[tuple[int, dict]]:
    """(position, attachment) of the message's media, for kinds of message whose media carry the request: a
    sticker is an image too but says nothing to read, and of a mail only a PDF is (its images are logos)."""
    kind = message_kind(message)
    if kind not in MEDIA_MESSAGE_KINDS:
        return []
    return [(i, a) for i, a in enumerate(message.attachments or []) if isinstance(a, dict) and media_kind(a)
            and (kind != "email" or media_kind(a) == "pdf")]


def _unread(attachment: dict) -> Unread | None:
    kind = media_kind(attachment)
    if kind is None:
        return None
    if kind not in READABLE_MEDIA:
        return Unread(kind, UNSUPPORTED)
    if needs_reading(attachment):
        return Unread(kind, UNAVAILABLE)
    if kind == "audio":
        return None if spoken_text(attachment) else Unread(kind, SILENT)
    return None if read_lines(attachment) else Unread(kind, NO_LIST)


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
    text = body or (message.subject or "").removeprefix("Re: ").removeprefix("RE: ").strip()
    return _with_read_lines(message, text)  # an order sent as a PDF attached to a mail


def _audio(message: Message) -> str:
    spoken = [spoken_text(a) for a in _attachments(message) if _file_type(a) == "audio"]
    return " ".join([_text(message), *spoken]).strip()


def _with_read_lines(message: Message, text: str) -> str:
    """The message's text, then the lines read from each of its photos or PDFs of a list (one a line, as typed)."""
    parts = [text]
    for _, attachment in media_attachments(message):
        lines = read_lines(attachment)
        if lines:
            source = "del PDF" if media_kind(attachment) == "pdf" else "de la imagen"
            parts.append("\n".join([f"Lista leída {source}:", *(line_text(line) for line in lines)]))
    return "\n".join(part for part in parts if part)


def _with_attachments(message: Message) -> str:
    return _with_read_lines(message, _text(message))


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
    attachments = [a for m in messages for _, a in media_attachments(m)]
    return TurnInput(
        text="\n".join(t for t in texts if t),
        message_ids=[m.pk for m in messages],
        kinds=[message_kind(m) for m in messages],
        read_lines=[line for a in attachments for line in read_lines(a)],
        unread=[u for u in map(_unread, attachments) if u is not None],
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
