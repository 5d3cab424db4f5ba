"""What the playground does: start a simulated contact, make it write, read its conversation back.

The simulated contact lives in the staff member's Django session as a small dict
(`{"name", "phone", "conversation_id"}`); everything else is read from our database, which is the point: the page
shows what the pipeline really stored and sent, not what the browser thinks it sent.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timezone

from django.conf import settings
from django.utils.translation import gettext as _

from agents.models import Turn
from conversations.models import (
    Conversation, DeliveryOutcome, Direction, DuplicateDelivery, Message, MessageOrigin, SenderKind, WebhookDelivery,
)
from console.playground.standin import StandinUnavailable, standin_inbound

MAX_TEXT = 4000
TRANSCRIPT_LIMIT = 300
# What the page remembers it sent, so a message that never became a row can still be shown with its fate.
SENT_REMEMBERED = 30
# A webhook the stand-in posted returns before the message is stored; only after this long is it "not received".
MISSING_AFTER = 10.0


class PlaygroundError(Exception):
    """Bad input or a playground that cannot work (real Chatwoot configured); the message is shown to staff."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def playground_available() -> bool:
    """Only the local stand-in can simulate a contact writing in; a real Chatwoot cannot."""
    return bool(settings.CHATWOOT_USES_STANDIN)


def playground_contact_new() -> dict:
    """A fresh simulated phone (Chilean mobile, random), so the pipeline sees a new contact and conversation."""
    phone = f"+569{secrets.randbelow(10 ** 8):08d}"
    return {"name": f"Playground {phone[-4:]}", "phone": phone, "conversation_id": None, "sent": []}


def playground_message_send(*, contact: dict, text: str) -> dict:
    """The simulated contact writes `text`; returns the contact dict with its stand-in conversation id."""
    text = (text or "").strip()
    if not text:
        raise PlaygroundError(_("Write a message first."))
    if len(text) > MAX_TEXT:
        raise PlaygroundError(_("Messages are limited to %(max)d characters.") % {"max": MAX_TEXT})
    if not playground_available():
        raise PlaygroundError(
            _("The playground needs the local Chatwoot stand-in; CHATWOOT_BASE_URL points at a real Chatwoot."),
            status=409)
    # Before the call: the stand-in posts its webhook before it answers, so a delivery of this very message is
    # received after this instant, and one received earlier is another message that had the same id.
    sent_at = time.time()
    try:
        ids = standin_inbound(content=text, contact={"name": contact["name"], "phone_number": contact["phone"]},
                              conversation_id=contact.get("conversation_id"))
    except StandinUnavailable as exc:
        raise PlaygroundError(str(exc), status=502) from exc
    sent = {"id": ids["message_id"], "text": text, "at": sent_at, "webhook": ids.get("webhook_status")}
    remembered = [*contact.get("sent", []), sent][-SENT_REMEMBERED:]
    return {**contact, "conversation_id": ids["conversation_id"], "sent": remembered}


def playground_transcript(*, contact: dict) -> dict:
    """The simulated contact's conversations as our database holds them (public messages only: a phone never
    sees private notes), each bot reply with the routing of the Turn that produced it."""
    conversations = Conversation.objects.filter(
        account_id=settings.CHATWOOT_ACCOUNT_ID, contact__phone_e164=contact["phone"])
    messages = list(Message.objects.filter(conversation__in=conversations, private=False)
                    .order_by("-created_at", "-id")[:TRANSCRIPT_LIMIT])[::-1]
    turns = _turns_by_reply(conversations, [m.pk for m in messages if m.direction == Direction.OUTBOUND])
    current = conversations.order_by("-is_active", "-created_at").first()
    shown = [_message_json(m, turns.get(m.pk)) for m in messages]
    shown.extend(_unstored_json(conversations, contact.get("sent", [])))
    shown.sort(key=lambda m: m["created_at"])
    return {
        "contact": {"name": contact["name"], "phone": contact["phone"]},
        "conversation": _conversation_json(current),
        "messages": shown,
    }


def _unstored_json(conversations, sent: list[dict]) -> list[dict]:
    """What the contact wrote that our database does not hold as one of its messages, and why: refused by the
    webhook, dropped as a duplicate, ignored, failed in the worker, not yet processed, or never received.
    Without this a dropped message is simply silence."""
    stored = {}  # Chatwoot id -> when we stored it; a row stored before the send is another message's
    for chatwoot_id, created_at in Message.objects.filter(
            conversation__in=conversations, direction=Direction.INBOUND,
            chatwoot_id__in=[s["id"] for s in sent]).values_list("chatwoot_id", "created_at"):
        stored[chatwoot_id] = max(created_at.timestamp(), stored.get(chatwoot_id, 0.0))
    sent = [s for s in sent if stored.get(s["id"], 0.0) < s["at"]]
    if not sent:
        return []
    keys = {_delivery_key(s["id"]): s for s in sent}
    deliveries = {d.dedupe_key: d for d in WebhookDelivery.objects.filter(dedupe_key__in=keys)
                  .only("dedupe_key", "outcome", "error", "received_at")}
    duplicates = set(DuplicateDelivery.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    now = time.time()
    shown = []
    for key, item in keys.items():
        status, error = _fate(item, deliveries.get(key), key in duplicates, now)
        if status is not None:
            shown.append(_sent_json(item, status, error))
    return shown


def _delivery_key(message_id: int) -> str:
    # The webhook's dedupe key for this message (conversations.webhook.dedupe_key).
    return f"message_created:{settings.CHATWOOT_ACCOUNT_ID}:{message_id}"


def _fate(item: dict, delivery: WebhookDelivery | None, duplicated: bool, now: float) -> tuple[str | None, str]:
    webhook = item.get("webhook")
    if webhook not in (None, 200):
        return "refused", _("Our webhook answered %(status)s: the message was not accepted (check the webhook "
                            "secret and URL).") % {"status": webhook}
    sent_at = item["at"]
    if delivery is not None and delivery.received_at.timestamp() < sent_at:
        if duplicated:
            return "dropped", _("Dropped as a duplicate: an earlier message had the same Chatwoot id (did the "
                                "Chatwoot stand-in restart its numbering?).")
        delivery = None  # another message's delivery; this one's has not arrived
    if delivery is None:
        if now - sent_at < MISSING_AFTER:
            return "sending", ""
        return "missing", _("Never received: Chatwoot's webhook did not reach us.")
    if delivery.outcome == DeliveryOutcome.FAILED:
        return "failed", delivery.error or _("Processing failed.")
    if delivery.outcome == DeliveryOutcome.IGNORED:
        return "ignored", delivery.error
    if delivery.outcome == DeliveryOutcome.PENDING:
        return "pending", ""
    # Processed, yet not one of this contact's messages: stored on another conversation or skipped on purpose.
    return "ignored", delivery.error or _("Processed without storing a message here.")


def _sent_json(item: dict, status: str, error: str) -> dict:
    return {
        "id": f"sent-{item['id']}", "direction": Direction.INBOUND, "author": "contact", "content": item["text"],
        "status": status, "error": error,
        "created_at": datetime.fromtimestamp(item["at"], tz=timezone.utc).isoformat(),
        "options": [], "attachments": [], "turn": None,
    }


def _turns_by_reply(conversations, outbound_ids: list[int]) -> dict[int, Turn]:
    """Turn.reply_message_ids lists the outbound rows a turn queued; invert it for the messages on the page."""
    if not outbound_ids:
        return {}
    wanted, found = set(outbound_ids), {}
    turns = Turn.objects.filter(conversation__in=conversations).only(
        "reply_message_ids", "lane", "intent", "confidence", "source", "agent", "handoff_reason")
    for turn in turns.order_by("-created_at")[:TRANSCRIPT_LIMIT]:
        for message_id in turn.reply_message_ids or []:
            if message_id in wanted:
                found[message_id] = turn
    return found


def _conversation_json(conversation: Conversation | None) -> dict | None:
    if conversation is None:
        return None
    return {"id": conversation.pk, "chatwoot_id": conversation.chatwoot_id, "mode": conversation.mode,
            "handoff_reason": conversation.handoff_reason}


AUTHOR_BY_ORIGIN = {MessageOrigin.BOT: "bot", MessageOrigin.STAFF: "staff", MessageOrigin.SYSTEM: "system"}


def _author(message: Message) -> str:
    if message.direction == Direction.INBOUND:
        return "contact"
    if message.origin in AUTHOR_BY_ORIGIN:
        return AUTHOR_BY_ORIGIN[message.origin]
    # Written in Chatwoot itself: a human agent, or another bot.
    return "staff" if message.sender_kind == SenderKind.USER else "bot"


def _message_json(message: Message, turn: Turn | None) -> dict:
    return {
        "id": message.pk,
        "direction": message.direction,
        "author": _author(message),
        "content": message.content,
        "status": message.status,
        "error": message.error if message.status == "failed" else "",
        "created_at": message.created_at.isoformat(),
        "options": [{"title": o.get("title", ""), "value": o.get("value", "")} for o in message.options or []],
        "attachments": [{"name": a.get("name") or a.get("file_type", "file"), "url": a.get("url", "")}
                        for a in message.attachments or []],
        "turn": _turn_json(turn) if turn else None,
    }


def _turn_json(turn: Turn) -> dict:
    return {"lane": turn.lane, "intent": turn.intent, "confidence": round(turn.confidence, 2),
            "source": turn.source, "agent": turn.agent, "handoff_reason": turn.handoff_reason}


__all__ = ["PlaygroundError", "playground_available", "playground_contact_new", "playground_message_send",
           "playground_transcript"]
