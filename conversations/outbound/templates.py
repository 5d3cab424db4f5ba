"""Past WhatsApp's 24-hour window: which template, if any, tells a queued message (`conversations.whatsapp_templates`).

Only order notices carry what a template needs (`OutboundNotice`); a turn's reply answers a contact who just wrote,
so it is always inside the window. The window is Chatwoot's `can_reply` as last heard, or 24 hours since the
contact's last message when that is older than anything Chatwoot told us since (no webhook says a window closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from conversations.models import Channel, Conversation, Message, MessageTemplate, OutboundNotice
from conversations.whatsapp_templates import PLACEHOLDER
from integrations.chatwoot.client import chatwoot_client

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class TemplateSend:
    params: dict  # Chatwoot's `template_params`
    content: str  # what the message shows in Chatwoot: the template's body filled in, else our own text


def window_closed(message: Message) -> bool:
    """WhatsApp takes free text only within 24 h of the contact's last message (PROTOCOL.md §8). Private notes
    never reach WhatsApp, so they always go."""
    conversation = message.conversation
    if conversation.channel != Channel.WHATSAPP or message.private:
        return False
    return not conversation.can_reply or _last_word_too_old(conversation)


def _last_word_too_old(conversation: Conversation) -> bool:
    last = conversation.last_inbound_at
    return last is not None and timezone.now() - last >= WINDOW


def template_for(message: Message) -> tuple[TemplateSend | None, str]:
    """The template that tells this message past the window, or None and why not (for staff)."""
    notice = OutboundNotice.objects.filter(message_id=message.pk).first()
    if notice is None:
        return None, "solo los avisos de pedidos se envían como plantilla"
    template = MessageTemplate.objects.filter(notice_kind=notice.kind, active=True).first()
    if template is None:
        return None, f"no hay una plantilla de WhatsApp para el aviso «{notice.kind}» (Admin → Plantillas de WhatsApp)"
    try:
        values = template.body_values(notice.fields)
    except ValueError as exc:
        return None, str(exc)
    params = {"name": template.name, "category": template.category, "language": template.language,
              "processed_params": {"body": values}}
    return TemplateSend(params, template.rendered(values) or message.content), ""


@dataclass(frozen=True)
class ApprovedTemplate:
    name: str
    language: str
    body: str
    placeholders: list[str]  # the body's {{1}}, {{2}}... as written


def approved_template_find(*, name: str, language: str) -> tuple[ApprovedTemplate | None, list[str]]:
    """Look the template up in the WhatsApp inboxes' `message_templates` as Chatwoot holds them (synced from Meta):
    approved, same name, same language (case-insensitive, as Chatwoot matches). Returns it (or None) and the
    approved ones seen, for the error. Raises ChatwootError (an agent bot token may not read inboxes)."""
    seen = []
    for inbox in chatwoot_client().list_inboxes():
        if not inbox.is_whatsapp:
            continue
        for template in inbox.message_templates:
            if str(template.get("status", "")).lower() != "approved":
                continue
            seen.append(f"{template.get('name')} ({template.get('language')})")
            if template.get("name") == name and str(template.get("language", "")).lower() == language.lower():
                body = _body(template)
                return ApprovedTemplate(name, language, body, list(dict.fromkeys(PLACEHOLDER.findall(body)))), seen
    return None, seen


def _body(template: dict) -> str:
    for component in template.get("components") or []:
        if isinstance(component, dict) and str(component.get("type", "")).upper() == "BODY":
            return str(component.get("text") or "")
    return ""
