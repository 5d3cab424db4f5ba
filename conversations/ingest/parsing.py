"""Small readers for Chatwoot payload fields (PROTOCOL.md section 2): channels, timestamps, senders."""

from __future__ import annotations

from datetime import datetime, timezone as dt_timezone

from django.utils.dateparse import parse_datetime

from conversations.models import Channel, SenderKind

# PROTOCOL.md section 2, `conversation.channel` = inbox.channel_type.
CHANNEL_BY_TYPE = {
    "Channel::Whatsapp": Channel.WHATSAPP,
    "Channel::Email": Channel.EMAIL,
    "Channel::WebWidget": Channel.WEB,
    "Channel::Api": Channel.API,
    "Channel::Sms": Channel.SMS,
    "Channel::TwilioSms": Channel.SMS,
    "Channel::Telegram": Channel.TELEGRAM,
}
SENDER_KIND_BY_TYPE = {"contact": SenderKind.CONTACT, "user": SenderKind.USER, "agent_bot": SenderKind.AGENT_BOT,
                       "captain_assistant": SenderKind.AGENT_BOT}


def channel_of(conversation: dict) -> str:
    """Twilio carries SMS and WhatsApp in one channel type; only the `whatsapp:` source id tells them apart."""
    channel_type = conversation.get("channel") or (conversation.get("meta") or {}).get("channel") or ""
    source_id = str((conversation.get("contact_inbox") or {}).get("source_id") or "")
    if channel_type == "Channel::TwilioSms" and source_id.startswith("whatsapp:"):
        return Channel.WHATSAPP
    return CHANNEL_BY_TYPE.get(channel_type, Channel.OTHER)


def sender_kind(sender: dict | None) -> str:
    """Contacts have no `type` key in `Message#webhook_data`; users and bots do. None means no sender (echo)."""
    if not sender:
        return SenderKind.NONE
    return SENDER_KIND_BY_TYPE.get(sender.get("type") or "contact", SenderKind.NONE)


def to_datetime(value) -> datetime | None:
    """Chatwoot mixes ISO strings (message created_at) and unix ints/floats (conversation timestamps, 0 = null)."""
    if value in (None, "", 0):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=dt_timezone.utc)
    if isinstance(value, str):
        parsed = parse_datetime(value)
        # Chatwoot's ISO strings carry "Z"; one without an offset is read as UTC rather than server-local time.
        if parsed is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt_timezone.utc)
        return parsed
    return None


def latest_push_message(payload: dict) -> dict | None:
    """`conversation.messages[0]` in push form, only when it is this very message (its `status` is then valid)."""
    messages = (payload.get("conversation") or {}).get("messages") or []
    if messages and isinstance(messages[0], dict) and messages[0].get("id") == payload.get("id"):
        return messages[0]
    return None
