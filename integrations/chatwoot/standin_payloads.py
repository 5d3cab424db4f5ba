"""Payload shapes the Chatwoot stand-in produces: REST objects (PROTOCOL.md section 5) and webhook bodies
(`message.webhook_data`, `conversation.webhook_data`; PROTOCOL.md sections 2 and 6).

Plain dicts built from the stand-in's in-memory records; no Django here, so the stand-in runs anywhere.
"""

from __future__ import annotations

from datetime import datetime, timezone

from integrations.chatwoot.standin_templates import can_reply

ACCOUNT = {"id": 1, "name": "Stand-in"}
BUSINESS_PHONE = "+56225550100"
BOT = {"id": 1, "name": "Stand-in Bot", "type": "agent_bot"}
MESSAGE_TYPE_INT = {"incoming": 0, "outgoing": 1, "activity": 2, "template": 3}
CHANNEL_TYPES = {
    "whatsapp": "Channel::Whatsapp", "email": "Channel::Email", "web": "Channel::WebWidget",
    "api": "Channel::Api", "sms": "Channel::Sms", "telegram": "Channel::Telegram",
}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def contact_webhook(contact: dict, account: dict) -> dict:
    """`Contact#webhook_data`: no `type` key for contacts."""
    return {
        "account": account, "additional_attributes": {}, "avatar": "", "custom_attributes": {},
        "email": contact.get("email"), "id": contact["id"], "identifier": None, "name": contact["name"],
        "phone_number": contact.get("phone_number"), "thumbnail": "", "blocked": False,
    }


def contact_push(contact: dict) -> dict:
    data = contact_webhook(contact, ACCOUNT)
    data.pop("account")
    data.pop("avatar")
    return {**data, "type": "contact"}


def message_push(msg: dict, conv: dict) -> dict:
    """The push form (all columns; integer message_type and created_at) used in REST and `conversation.messages`."""
    sender = contact_push(conv["contact"]) if msg["message_type"] == "incoming" else {**BOT, "avatar_url": ""}
    return {
        "id": msg["id"], "content": msg["content"], "account_id": ACCOUNT["id"], "inbox_id": conv["inbox_id"],
        "conversation_id": conv["id"], "message_type": MESSAGE_TYPE_INT[msg["message_type"]],
        "created_at": int(msg["created_at"]), "updated_at": iso(msg["created_at"]), "private": msg["private"],
        "status": msg.get("status") or "sent", "source_id": msg.get("source_id"), "content_type": msg["content_type"],
        "content_attributes": dict(msg["content_attributes"]),
        "sender_type": "Contact" if msg["message_type"] == "incoming" else "AgentBot",
        "sender_id": sender["id"], "external_source_ids": {},
        "additional_attributes": dict(msg.get("additional_attributes") or {}),
        "processed_message_content": msg["content"], "sentiment": {}, "sender": sender,
        **({"attachments": [dict(a) for a in msg["attachments"]]} if msg.get("attachments") else {}),
    }


def conversation_webhook(conv: dict) -> dict:
    """`Conversation#webhook_data` (push_data + account + messages)."""
    contact = conv["contact"]
    last = [m for m in conv["messages"] if not m["private"]][-1:]
    created = int(conv["created_at"])
    return {
        "additional_attributes": {}, "can_reply": can_reply(conv),
        "channel": CHANNEL_TYPES.get(conv["channel"], "Channel::Api"),
        "contact_inbox": {
            "id": conv["id"] + 1000, "contact_id": contact["id"], "inbox_id": conv["inbox_id"],
            "source_id": conv["source_id"], "created_at": iso(created), "updated_at": iso(created),
            "hmac_verified": False, "pubsub_token": f"standin{conv['id']}",
        },
        "id": conv["id"], "inbox_id": conv["inbox_id"], "messages": [message_push(m, conv) for m in last],
        "labels": [],
        "meta": {"sender": contact_push(contact), "assignee": conv.get("assignee"),
                 "assignee_type": "User" if conv.get("assignee") else None, "team": None, "hmac_verified": False},
        "status": conv["status"], "custom_attributes": {}, "snoozed_until": None, "unread_count": 0,
        "first_reply_created_at": None, "priority": None, "waiting_since": 0, "agent_last_seen_at": 0,
        "contact_last_seen_at": 0, "last_activity_at": created, "timestamp": created, "created_at": created,
        "updated_at": float(created), "account": ACCOUNT,
    }


def message_webhook(msg: dict, conv: dict, event: str = "message_created") -> dict:
    """`Message#webhook_data` + event: string message_type, ISO created_at, bot or contact sender. Copies, not
    references: the payload is the message as it was when the event happened (a later failure must not leak into
    an echo still waiting to go out)."""
    incoming = msg["message_type"] == "incoming"
    return {
        "event": event, "account": ACCOUNT, "additional_attributes": dict(msg.get("additional_attributes") or {}),
        "content_attributes": dict(msg["content_attributes"]), "content_type": msg["content_type"],
        "content": msg["content"], "conversation": conversation_webhook(conv), "created_at": iso(msg["created_at"]),
        "id": msg["id"], "inbox": {"id": conv["inbox_id"], "name": f"{conv['channel'].title()} Stand-in"},
        "message_type": msg["message_type"], "private": msg["private"],
        "sender": contact_webhook(conv["contact"], ACCOUNT) if incoming else dict(BOT),
        "source_id": msg.get("source_id"),
        **({"attachments": [dict(a) for a in msg["attachments"]]} if msg.get("attachments") else {}),
    }


def attachments_push(attachments: list[dict], message_id: int) -> list[dict]:
    """`Attachment#push_event_data` (PROTOCOL.md): file fields for every kind, `thumb_url` for images only,
    `transcribed_text` for audio. Ids are derived from the message's (the stand-in keeps no attachment counter)."""
    pushed = []
    for position, given in enumerate(attachments):
        file_type, url = given.get("file_type") or "file", given.get("data_url") or ""
        name = url.rsplit("/", 1)[-1]
        data = {"id": message_id * 100 + position, "message_id": message_id, "file_type": file_type,
                "account_id": ACCOUNT["id"], "extension": name.rsplit(".", 1)[-1] if "." in name else None,
                "content_type": given.get("content_type") or "", "data_url": url,
                "thumb_url": url if file_type == "image" else "", "file_size": given.get("file_size") or 0,
                "width": None, "height": None}
        if file_type == "audio":
            data["transcribed_text"] = given.get("transcribed_text") or ""
        pushed.append(data)
    return pushed


def message_rest(msg: dict, conv: dict) -> dict:
    """`_message.json.jbuilder`: the REST response of create and the items of the messages list."""
    push = message_push(msg, conv)
    keys = ("id", "content", "inbox_id", "conversation_id", "message_type", "content_type", "status",
            "content_attributes", "created_at", "private", "source_id", "sender")
    return {k: push[k] for k in keys}


def conversation_rest(conv: dict) -> dict:
    """`_conversation.json.jbuilder` (the parts our client and the backfill read)."""
    data = conversation_webhook(conv)
    data["meta"]["channel"] = data["channel"]
    data["account_id"] = ACCOUNT["id"]
    data["uuid"] = f"00000000-0000-4000-8000-{conv['id']:012d}"
    data["last_non_activity_message"] = data["messages"][0] if data["messages"] else None
    return data


def inbox_rest(inbox_id: int, channel: str, templates: list[dict]) -> dict:
    """`_inbox.json.jbuilder` (the parts an integration reads): WhatsApp inboxes carry `phone_number`, `provider`
    and the `message_templates` synced from Meta (PROTOCOL.md section 3)."""
    data = {
        "id": inbox_id, "channel_id": inbox_id, "name": f"{channel.title()} Stand-in", "avatar_url": "",
        "channel_type": CHANNEL_TYPES.get(channel, "Channel::Api"), "greeting_enabled": False,
        "greeting_message": None, "working_hours_enabled": False, "enable_email_collect": False,
        "csat_survey_enabled": False, "enable_auto_assignment": False, "out_of_office_message": None,
        "timezone": "America/Santiago", "allow_messages_after_resolved": True,
        "lock_to_single_conversation": True, "sender_name_type": "friendly", "business_name": None,
    }
    if channel == "whatsapp":
        data.update({"phone_number": BUSINESS_PHONE, "provider": "whatsapp_cloud",
                     "message_templates": [dict(t) for t in templates]})
    return data
