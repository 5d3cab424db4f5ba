"""The one dispatch table from Chatwoot event name to handler (PROTOCOL.md section 1, event catalogue).

`acts=False` events are stored and answered `ignored` at once, without a task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from conversations.ingest import events, messages


@dataclass(frozen=True)
class EventHandler:
    func: Callable[[dict], tuple[str, str]]
    acts: bool = True
    ignore_reason: str = ""


CHATWOOT_EVENT_HANDLERS: dict[str, EventHandler] = {
    "message_created": EventHandler(messages.handle_message_created),
    "message_updated": EventHandler(messages.handle_message_updated),
    "conversation_created": EventHandler(events.handle_conversation_created),
    "conversation_updated": EventHandler(events.handle_conversation_updated),
    "conversation_status_changed": EventHandler(events.handle_conversation_status_changed),
    "conversation_opened": EventHandler(events.handle_conversation_opened),
    "conversation_resolved": EventHandler(events.handle_conversation_resolved),
    "contact_created": EventHandler(events.handle_contact_event),
    "contact_updated": EventHandler(events.handle_contact_event),
    "webwidget_triggered": EventHandler(events.handle_webwidget_triggered),
    "conversation_typing_on": EventHandler(events.handle_typing, acts=False, ignore_reason="typing indicator"),
    "conversation_typing_off": EventHandler(events.handle_typing, acts=False, ignore_reason="typing indicator"),
    "inbox_created": EventHandler(events.handle_inbox_event, acts=False, ignore_reason="inbox events not acted on"),
    "inbox_updated": EventHandler(events.handle_inbox_event, acts=False, ignore_reason="inbox events not acted on"),
}
