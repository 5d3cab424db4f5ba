"""The transcript the conversation page shows: the latest messages, oldest first, with who wrote each."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.models import Conversation, Direction, Message, MessageOrigin, MessageStatus, SenderKind


TRANSCRIPT_LIMIT = 200
SAFE_LINK_SCHEMES = ("https://", "http://")


@dataclass(frozen=True)
class TranscriptLine:
    message: Message
    author: str
    attachments: list[dict]  # [{"label": ..., "url": ... or "", "transcription": ...}]
    can_retry: bool


def conversation_transcript(*, conversation: Conversation, limit: int = TRANSCRIPT_LIMIT
                            ) -> tuple[list[TranscriptLine], int]:
    """The latest `limit` messages, oldest first, with who wrote each; and the total count."""
    rows = conversation.messages.select_related("staff_user").order_by("-created_at", "-id")[:limit]
    contact_name = str(conversation.contact)
    lines = [
        TranscriptLine(
            message=m, author=message_author(m, contact_name), attachments=attachment_links(m),
            can_retry=m.direction == Direction.OUTBOUND and m.status == MessageStatus.FAILED,
        )
        for m in reversed(list(rows))
    ]
    return lines, conversation.messages.count()


def message_author(message: Message, contact_name: str) -> str:
    if message.direction == Direction.INBOUND:
        return f"Contact · {message.sender_name or contact_name}"
    return OUTBOUND_AUTHORS.get(message.origin, _chatwoot_author)(message)


def _staff_author(message: Message) -> str:
    return f"Staff · {message.staff_user.get_username() if message.staff_user else 'deleted user'} (admin)"


def _chatwoot_author(message: Message) -> str:
    if message.sender_kind == SenderKind.USER:
        return f"Chatwoot agent · {message.sender_name or message.sender_chatwoot_id or '?'}"
    if message.sender_kind == SenderKind.AGENT_BOT:
        return f"Chatwoot bot · {message.sender_name or '?'}"
    return "Business phone / Chatwoot"


OUTBOUND_AUTHORS = {
    MessageOrigin.BOT: lambda m: "Bot",
    MessageOrigin.SYSTEM: lambda m: "System",
    MessageOrigin.STAFF: _staff_author,
    MessageOrigin.CHATWOOT: _chatwoot_author,
}


def attachment_links(message: Message) -> list[dict]:
    """Attachments as links; only http(s) URLs become links (a `javascript:` URL from a payload must not)."""
    links = []
    for item in message.attachments or []:
        if not isinstance(item, dict):
            continue
        url = str(item.get("url") or item.get("data_url") or "")
        label = item.get("name") or item.get("file_type") or "attachment"
        links.append({"label": str(label), "url": url if url.startswith(SAFE_LINK_SCHEMES) else "",
                      "transcription": str(item.get("transcription") or "")})
    return links
