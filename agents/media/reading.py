"""Understanding a turn's media before the turn is built: a voice note becomes its transcript, a photo or PDF of a
purchase list becomes the order lines written in it. Slow I/O (the download from Chatwoot's `data_url`, then one
OpenAI call), so it runs in the turn's decision phase, outside any transaction, like the LLM routing call.

What was understood is stored on the message's attachment entry, marked as ours (`transcribed_by` / `read_by`,
"openai"), in a small transaction of its own: a turn decided again, or re-driven after its worker died, finds it
there and calls nobody twice. A failure stores nothing and costs the contact nothing but the plain answer
(`agents.media.answers`): the next voice note is tried again, a breaker that closed again is called again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from agents.routing.catalog import Catalog
from agents.turns import build_turn, media_attachments, media_kind, needs_reading
from conversations.models import Message
from integrations.media import AttachmentError, download_attachment
from integrations.openai.client import breaker_state, extract_order_lines, transcribe_audio
from integrations.openai.errors import LLMError

if TYPE_CHECKING:  # annotations only: the orchestration imports this module
    from agents.orchestration.commit import TurnRecord

logger = logging.getLogger(__name__)
OURS = "openai"
# Read at the same time, so a burst of photos (a list on three pages) takes as long as its slowest one: at worst
# one download and one model call that time out (MEDIA_DOWNLOAD_TIMEOUT + OPENAI_TIMEOUT), well inside the task's
# time limit. Media beyond this many in one turn are not read (the contact is told).
MAX_MEDIA_PER_TURN = 4
VOCABULARY_NAMES = 60
VOCABULARY_CHARS = 600


@dataclass(frozen=True)
class _Context:
    """Read once per turn, in the caller's thread: what every reader passes to the model."""

    caption: str
    catalog_lines: list[str]
    vocabulary: str


def turn_media_read(record: TurnRecord) -> None:
    """Understand the turn's media that nobody has yet, then build the turn again from what is now known. What
    happened to each medium goes to the turn's record (`Turn.decision["media"]`). Caller holds no transaction."""
    outcomes = media_read(messages=record.messages)
    if outcomes:
        record.turn_input = build_turn(record.messages)
        record.extra["media"] = outcomes


def media_read(*, messages: list[Message]) -> list[dict]:
    """Read each medium of `messages` that needs it; the messages' attachments are updated in memory as well as
    in the database. Never raises: a medium that could not be read is an outcome."""
    todo = [(m, position, a) for m in messages for position, a in media_attachments(m) if needs_reading(a)]
    if not todo:
        return []
    why_not = _why_not_now()
    if why_not:
        return [_outcome(m, position, a, "skipped", why=why_not) for m, position, a in todo]
    now, later = todo[:MAX_MEDIA_PER_TURN], todo[MAX_MEDIA_PER_TURN:]
    context = _context(messages, [media_kind(a) for _, _, a in now])
    results = _in_parallel([partial(_understood, a, context) for _, _, a in now])
    outcomes = []
    for (message, position, attachment), (fields, outcome) in zip(now, results):
        if fields is not None:
            _keep(message, position, attachment, fields)
        outcomes.append({**_outcome(message, position, attachment, ""), **outcome})
    why = f"more than {MAX_MEDIA_PER_TURN} media in one turn"
    return outcomes + [_outcome(m, position, a, "skipped", why=why) for m, position, a in later]


def _outcome(message: Message, position: int, attachment: dict, outcome: str, **more) -> dict:
    return {"message_id": message.pk, "attachment": position, "kind": media_kind(attachment), "outcome": outcome,
            **more}


def _why_not_now() -> str:
    if not settings.OPENAI_API_KEY:
        return "no OPENAI_API_KEY"
    if breaker_state() == "open":  # every call would fail at once: spare the downloads too
        return "the OpenAI circuit breaker is open"
    return ""


def _in_parallel(calls: list[Callable[[], tuple]]) -> list[tuple]:
    if len(calls) == 1:
        return [calls[0]()]
    with ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="media") as pool:
        return list(pool.map(_closing_connection, calls))


def _closing_connection(call: Callable[[], tuple]) -> tuple:
    try:
        return call()
    finally:
        connection.close()  # the call rows this thread wrote opened its own connection


def _understood(attachment: dict, context: _Context) -> tuple[dict | None, dict]:
    """(fields to store, outcome) for one medium: one download, one model call."""
    kind, began = media_kind(attachment), time.monotonic()
    try:
        fields = READERS[kind](attachment, context)
    except (AttachmentError, LLMError) as exc:
        return None, {"outcome": "failed", "error": _error(exc), "seconds": _since(began)}
    except Exception as exc:  # noqa: BLE001 - a bug reading one medium must not cost the contact the answer
        logger.exception("reading a %s failed", kind)
        return None, {"outcome": "failed", "error": _error(exc), "seconds": _since(began)}
    done = "transcribed" if kind == "audio" else "read"
    return fields, {"outcome": done, "seconds": _since(began)}


# --- the readers: they return the fields to store on the attachment --------------------------------------------
def _transcribed(attachment: dict, context: _Context) -> dict:
    audio = download_attachment(_url(attachment), kind="audio")
    result = transcribe_audio(audio=audio.content, content_type=audio.content_type, filename=audio.filename,
                              prompt=context.vocabulary, budget="background")
    return {"transcription": result.text, "transcribed_by": OURS, "transcription_model": result.model}


def _read_list(attachment: dict, context: _Context) -> dict:
    kind = "pdf" if media_kind(attachment) == "pdf" else "image"
    media = download_attachment(_url(attachment), kind=kind)
    result = extract_order_lines(media=media.content, content_type=media.content_type, filename=media.filename,
                                 catalog_lines=context.catalog_lines, caption=context.caption, budget="background")
    return {"read_by": OURS, "read_model": result.model, "legible": result.legible,
            "order_lines": [asdict(line) for line in result.lines], "read_note": result.note}


READERS: dict[str, Callable[[dict, _Context], dict]] = {"audio": _transcribed, "image": _read_list,
                                                        "pdf": _read_list}


def _context(messages: list[Message], kinds: list[str]) -> _Context:
    entries = Catalog.from_db().entries
    names = ", ".join(entry.name for entry in entries[:VOCABULARY_NAMES])
    # Product names the transcription model should expect ("maní", "cajú" are easily misheard).
    vocabulary = f"Pedido por WhatsApp a un distribuidor. Productos: {names}"[:VOCABULARY_CHARS] if names else ""
    lines = [f"{entry.code} | {entry.name} | {entry.uom}" for entry in entries] if set(kinds) - {"audio"} else []
    # What the contact wrote beside the media ("esto para el lunes"): the model reads it with the photo.
    caption = "\n".join(m.content.strip() for m in messages if (m.content or "").strip())
    return _Context(caption, lines, vocabulary if "audio" in kinds else "")


def _url(attachment: dict) -> str:
    return str(attachment.get("url") or attachment.get("data_url") or "")


# --- storing what was understood ---------------------------------------------------------------------------
def _keep(message: Message, position: int, attachment: dict, fields: dict) -> None:
    """Stored first, then used: if the store fails, the turn still uses it (a re-run would call once more)."""
    fields = {**fields, "understood_at": timezone.now().isoformat()}
    try:
        stored = message_attachment_understood(message_id=message.pk, position=position, url=_url(attachment),
                                               fields=fields)
    except DatabaseError:
        logger.exception("what was understood of message %s was not stored", message.pk)
        stored = None
    attachments = list(message.attachments or [])
    if stored is None:
        attachments[position] = {**attachment, **fields}
        stored = attachments
    message.attachments = stored


def message_attachment_understood(*, message_id: int, position: int, url: str, fields: dict) -> list | None:
    """Add `fields` to the message's attachment at `position`, unless it was understood meanwhile (a concurrent
    run's result stands: the first one stored is the one every run uses). Returns the attachments as stored, or
    None when the attachment is not there any more. Its own short transaction."""
    with transaction.atomic():
        message = Message.objects.select_for_update().only("id", "attachments").filter(pk=message_id).first()
        attachments = list(message.attachments or []) if message else []
        if position >= len(attachments) or not isinstance(attachments[position], dict) \
                or _url(attachments[position]) != url:
            return None
        if needs_reading(attachments[position]):
            attachments[position] = {**attachments[position], **fields}
            Message.objects.filter(pk=message_id).update(attachments=attachments, updated_at=timezone.now())
    return attachments


def _error(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:300]


def _since(began: float) -> float:
    return round(time.monotonic() - began, 3)
