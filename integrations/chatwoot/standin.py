"""A local Chatwoot stand-in: a real HTTP server speaking the REST calls our client makes, and delivering the
webhooks Chatwoot would send back. Used by `make run` (`manage.py chatwoot_standin`), `make demo` and by tests
(`tests.fakes.chatwoot.chatwoot_standin` fixture). No Django imports: it runs in a thread or on its own.

Validates as Chatwoot does (PROTOCOL.md section 5): `api_access_token` required (401), unknown conversation (404),
`input_select` items need `title` and `value` (422), at most 200 messages per conversation per minute (422
"Too many messages"). A reply carrying `source_id` is our bug (Chatwoot would silently not deliver it): refused
with 422 and recorded in `.flags`.

Every message we post is echoed as `message_created` (sender agent_bot, message_type outgoing) to `webhook_url`
(`standin_webhooks.py`). `echo_timing="after"` (default, as Chatwoot: the webhook job runs after the request) or
`"before"` (the echo is delivered before the POST is answered: the race our echo matching must survive).
WhatsApp (`standin_templates.py`): the 24-hour window (`can_reply`) and templates (`template_params`, the inbox's
`message_templates`); a message the send job fails comes back as `message_updated` with `external_error`; with
`whatsapp_updates=True` every WhatsApp reply is also followed by the `message_updated` that stores its wamid.

State: in memory, or with `state_path` in a JSON file that survives restarts (`standin_state.py`); `id_floor`
({"conversation", "contact", "message"}) starts the ids above ones a database has already seen.

Test hooks: `arm_fault(kind, ...)`, `clear_faults()`, `fail_next(n, status=500, retry_after=None)`,
`timeout_next(n, seconds, then_process=False)` (faults: `standin_faults.py`), `set_can_reply(conversation_id,
bool | None)`, `add_conversation(...)`, `inbound(...)`, `receipt(message_id, status)`; records in `.sent`,
`.sent_templates`, `.status_changes`, `.typing`, `.assignments`, `.webhooks`, `.requests`, `.flags`,
`.faults.applied`.

Stand-in endpoints (no token): `POST /standin/inbound`, `GET /standin/conversations`,
`GET /standin/conversations/{id}/messages` (`?after=N&wait=s`: first waits up to s seconds for more than N bot
messages, so a benchmark's contacts need not poll),
`POST /standin/conversations/{id}/can_reply` `{"can_reply": bool|null}`,
`POST /standin/faults` (one fault object, or `{"faults": [...]}`), `GET /standin/faults` (`{armed, applied}`),
`DELETE /standin/faults` (disarms all and empties the log), `GET /standin/records`,
`POST /standin/messages/{id}/status` `{"status": "delivered"|"read"|"failed", "external_error"}`,
`GET|POST /standin/message_templates` (`{"message_templates": [...]}` replaces the inbox's list).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from integrations.chatwoot import standin_payloads as shapes
from integrations.chatwoot.standin_faults import Fault, FaultBook
from integrations.chatwoot.standin_http import StandinError, _make_handler
from integrations.chatwoot.standin_queries import INBOX_IDS, StandinQueries
from integrations.chatwoot.standin_state import PersistentState
from integrations.chatwoot.standin_templates import DEFAULT_TEMPLATES, channel_templates, validate_template_params
from integrations.chatwoot.standin_webhooks import WebhookSender
from integrations.chatwoot.standin_whatsapp import WhatsAppSending

MESSAGES_PER_MINUTE = 200  # CONVERSATION_MESSAGE_PER_MINUTE_LIMIT (lib/limits.rb)
ID_BLOCK = PersistentState.ID_BLOCK
RECEIPT_STATUSES = ("sent", "delivered", "read", "failed")


class ChatwootStandin(PersistentState, WhatsAppSending, StandinQueries):
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, token: str = "standin-token",
                 webhook_url: str | None = None, secret: str = "", echo_timing: str = "after",
                 state_path=None, state_owner: str | None = None, id_floor: dict | None = None,
                 message_templates: list[dict] | None = None, whatsapp_updates: bool = False):
        self.token = token
        self.webhook_url = webhook_url
        self.webhook_sink: Callable[[dict, dict], None] | None = None  # tests: called instead of an HTTP POST
        self.secret = secret
        self.echo_timing = echo_timing
        self.whatsapp_updates = whatsapp_updates
        self.state_path = Path(state_path) if state_path else None
        self.message_templates = channel_templates(DEFAULT_TEMPLATES if message_templates is None
                                                   else message_templates)
        self.conversations: dict[int, dict] = {}
        self.contacts: dict[str, dict] = {}
        self._records()
        self.faults = FaultBook()
        self._webhooks = WebhookSender(self)
        self._lock = threading.RLock()
        self._bot_posted: dict[int, threading.Condition] = {}  # conversation → waiters for our next reply
        self._ids = {"conversation": 100, "contact": 500, "message": 9000}
        self.state_owner = state_owner
        self._open_state(state_path, id_floor or {})
        try:
            self.server = ThreadingHTTPServer((host, port), _make_handler(self))
        except OSError:  # port taken: give the state file back before failing
            self._close_state()
            raise
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a handler sleeping out an injected timeout must not block stop()
        self._thread: threading.Thread | None = None

    def _records(self) -> None:
        self.sent: list[dict] = []
        self.sent_templates: list[dict] = []
        self.status_changes: list[tuple[int, str]] = []
        self.typing: list[tuple[int, str]] = []
        self.assignments: list[tuple[int, object]] = []
        self.webhooks: list[dict] = []
        self.requests: list[tuple[str, str, object]] = []
        self.flags: list[str] = []

    # --- lifecycle ----------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "ChatwootStandin":
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="chatwoot-standin", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() would wait forever for a serve loop that never ran
            self.server.shutdown()
        self.close()

    def close(self) -> None:
        """Close the socket and write the final state (after `serve_forever` returned, or from `stop`)."""
        self.server.server_close()
        self._close_state()

    def _close_state(self) -> None:
        with self._lock:
            state, self._state = self._state, None
            self._closed = True
            self._ceiling = dict(self._ids)  # a clean stop leaves no gap in the ids
            self._seq += 1
        if state is not None:
            state.close()

    # --- scripting ----------------------------------------------------------------------------------------
    def arm_fault(self, kind: str, **options) -> Fault:
        """Arm one fault (kinds and options: `standin_faults.py`); returns it (`.id`, `.used`)."""
        return self.faults.arm(Fault(kind=kind, **options))

    def clear_faults(self) -> dict:
        return self.faults.clear()

    def fail_next(self, n: int = 1, *, status: int = 500, retry_after: float | None = None) -> None:
        """The next `n` REST requests answer `status` before doing anything (429 carries `Retry-After` when
        given)."""
        kind = "rate_limit" if status == 429 else "error_before"
        self.arm_fault(kind, times=n, status=status, retry_after=retry_after)

    def timeout_next(self, n: int = 1, *, seconds: float = 1.0, then_process: bool = False) -> None:
        """The next `n` REST requests stall `seconds`; with `then_process` the request is then carried out anyway
        (Chatwoot got it, our client timed out: the case that must not turn into a double post)."""
        self.arm_fault("timeout_then_apply" if then_process else "timeout_before", times=n, seconds=seconds)

    def set_can_reply(self, conversation_id: int, can_reply: bool | None) -> None:
        """Pin the WhatsApp window open (True) or closed (False); None: computed again from the last incoming
        message (24 h)."""
        with self._lock:
            self._conversation(conversation_id)["can_reply"] = can_reply
            self._changed()

    def set_message_templates(self, templates: list[dict]) -> list[dict]:
        converted = channel_templates(templates)
        with self._lock:
            self.message_templates = converted
        return converted

    def add_conversation(self, *, channel: str = "whatsapp", name: str = "Cliente Prueba",
                         phone_number: str = "+56911111111", conversation_id: int | None = None,
                         status: str = "pending", can_reply: bool | None = True) -> dict:
        with self._lock:
            contact = self._contact(name, phone_number)
            if conversation_id is None:
                conversation_id = self._next("conversation")
            else:
                self._claim("conversation", conversation_id)
            conv = {
                "id": conversation_id, "inbox_id": INBOX_IDS.get(channel, 4), "channel": channel,
                "contact": contact, "source_id": (phone_number or "").lstrip("+") or uuid.uuid4().hex,
                "status": status, "can_reply": can_reply, "messages": [], "created_at": time.time(),
                "assignee": None,
            }
            self.conversations[conversation_id] = conv
            self._changed()
            return conv

    def inbound(self, *, content: str | None, contact: dict | None = None, conversation_id: int | None = None,
                channel: str = "whatsapp", attachments: list[dict] | None = None) -> dict:
        """A contact writes in: creates contact/conversation when needed, delivers `conversation_created` (first
        time) and the incoming `message_created`. Returns the ids. `attachments`: [{"file_type", "data_url",
        "content_type", "transcribed_text"?, "file_size"?}], delivered in Chatwoot's push_event_data shape
        (`content` is then the caption, or None)."""
        conv, msg, events = self._receive(content, contact or {}, conversation_id, channel, attachments or [])
        records = [self.deliver(event) for event in events]
        # `webhook_answered_at` (epoch seconds): when our app answered the message's webhook (bench/turns.py).
        return {"conversation_id": conv["id"], "contact_id": conv["contact"]["id"], "message_id": msg["id"],
                "webhook_status": records[-1]["status"], "webhook_answered_at": records[-1]["answered_at"]}

    def _receive(self, content: str | None, contact: dict, conversation_id: int | None, channel: str,
                 attachments: list[dict]):
        with self._lock:
            if conversation_id is None:  # Chatwoot's lock_to_single_conversation: the contact's thread continues
                conversation_id = self._latest_conversation_of(contact.get("phone_number"), channel)
            created = conversation_id is None or conversation_id not in self.conversations
            if created:
                conv = self.add_conversation(
                    channel=channel, name=contact.get("name") or "Cliente", conversation_id=conversation_id,
                    phone_number=contact.get("phone_number") or "",
                )
            else:
                conv = self.conversations[conversation_id]
            reopened = conv["status"] == "resolved"
            if reopened:  # Message#reopen_resolved_conversation: a bot inbox goes back to pending
                conv["status"] = "pending"
            msg = self._store_message(conv, content, "incoming", "text", {}, False)
            if attachments:
                msg["attachments"] = shapes.attachments_push(attachments, msg["id"])
            conv["can_reply"] = None  # a message from the contact opens the 24 h window again
            events = []
            if created:
                events.append({**shapes.conversation_webhook(conv), "event": "conversation_created"})
            if reopened:
                events.append({**shapes.conversation_webhook(conv), "event": "conversation_status_changed",
                               "changed_attributes": None})
            events.append(shapes.message_webhook(msg, conv))
            self._changed()
            return conv, msg, events

    def receipt(self, message_id: int, status: str, external_error: str | None = None) -> dict:
        """WhatsApp's status callback for one of our messages: delivers the `message_updated` Chatwoot sends."""
        if status not in RECEIPT_STATUSES:
            raise StandinError(400, f"status must be one of {', '.join(RECEIPT_STATUSES)}")
        with self._lock:
            conv, msg = self._message(message_id)
            msg["status"] = status
            if status == "failed":
                msg["content_attributes"] = {**msg["content_attributes"],
                                             "external_error": external_error or "131026: Message undeliverable"}
            payload = shapes.message_webhook(msg, conv, "message_updated")
            self._changed()
        return self.deliver(payload)

    def _latest_conversation_of(self, phone_number: str | None, channel: str) -> int | None:
        """Caller holds the lock. The newest conversation of the contact with this phone on this channel."""
        if not phone_number:
            return None
        mine = [c["id"] for c in self.conversations.values()
                if c["channel"] == channel and c["contact"].get("phone_number") == phone_number]
        return max(mine, default=None)

    # --- webhooks -----------------------------------------------------------------------------------------
    def deliver(self, payload: dict) -> dict:
        """One attempt, never retried (account webhooks are not retried: PROTOCOL.md section 4). Returns the
        record, with `answered_at` (epoch seconds) once our app answered."""
        return self._webhooks.deliver(payload)

    # --- REST handlers (called with the parsed request) ---------------------------------------------------
    def create_message(self, conversation_id: int, body: dict) -> tuple[dict, list[dict]]:
        """Returns the REST answer and the webhooks that follow it: the echo, then what the send job reports."""
        content_type, attributes, template_params = _message_input(conversation_id, body, self.flags)
        with self._lock:
            conv = self._conversation(conversation_id)
            self._check_flood(conv)
            extra = {"template_params": template_params} if template_params is not None else {}
            msg = self._store_message(conv, body.get("content") or "", "outgoing", content_type, attributes,
                                      bool(body.get("private")), extra)
            record = {"conversation_id": conversation_id, "id": msg["id"], "content": msg["content"],
                      "content_type": content_type, "content_attributes": attributes, "private": msg["private"],
                      "template_params": template_params, "status": "sent", "external_error": None}
            self.sent.append(record)
            rest, echo = shapes.message_rest(msg, conv), shapes.message_webhook(msg, conv)
            followups = [echo, *self._send_on_channel(conv, msg, record)]
            self._changed()
            if conversation_id in self._bot_posted:
                self._bot_posted[conversation_id].notify_all()
            return rest, followups

    def toggle_status(self, conversation_id: int, body: dict) -> dict:
        status = body.get("status")
        with self._lock:
            conv = self._conversation(conversation_id)
            if status is None:  # without status Chatwoot toggles open <-> resolved
                status = "resolved" if conv["status"] == "open" else "open"
            if status not in ("open", "resolved", "pending", "snoozed"):
                raise StandinError(422, f"invalid status {status!r}")
            conv["status"] = status
            self.status_changes.append((conversation_id, status))
            self._changed()
        return {"meta": {}, "payload": {"success": True, "conversation_id": conversation_id,
                                        "current_status": status, "snoozed_until": None}}

    def status_event(self, conversation_id: int) -> dict:
        """`conversation_status_changed`: `changed_attributes` is null in practice (PROTOCOL.md section 1)."""
        with self._lock:
            conv = self._conversation(conversation_id)
            return {**shapes.conversation_webhook(conv), "event": "conversation_status_changed",
                    "changed_attributes": None}

    def toggle_typing(self, conversation_id: int, body: dict) -> dict:
        typing = body.get("typing_status")
        if typing not in ("on", "off", "recording"):
            raise StandinError(422, "typing_status must be on or off")
        with self._lock:
            self._conversation(conversation_id)
            self.typing.append((conversation_id, typing))
        return {}

    def assign(self, conversation_id: int, body: dict) -> dict | None:
        with self._lock:
            conv = self._conversation(conversation_id)
            assignee_id = body.get("assignee_id")
            conv["assignee"] = {"id": assignee_id, "name": f"Agent {assignee_id}", "type": "user"} if assignee_id else None
            self.assignments.append((conversation_id, assignee_id))
            self._changed()
            return conv["assignee"]

    # --- internals ------------------------------------------------------------------------------------------
    def _conversation(self, conversation_id: int) -> dict:
        conv = self.conversations.get(conversation_id)
        if conv is None:
            raise StandinError(404, "Resource could not be found")
        return conv

    def _message(self, message_id: int) -> tuple[dict, dict]:
        for conv in self.conversations.values():
            for msg in conv["messages"]:
                if msg["id"] == message_id:
                    return conv, msg
        raise StandinError(404, "Resource could not be found")

    def _contact(self, name: str, phone_number: str) -> dict:
        key = phone_number or f"anon-{len(self.contacts)}"
        if key not in self.contacts:
            self.contacts[key] = {"id": self._next("contact"), "name": name, "phone_number": phone_number or None}
        return self.contacts[key]

    def _store_message(self, conv, content, message_type, content_type, attributes, private, extra=None) -> dict:
        msg = {"id": self._next("message"), "content": content, "message_type": message_type,
               "content_type": content_type, "content_attributes": attributes, "private": private,
               "created_at": time.time(), "source_id": None, "status": "sent",
               "additional_attributes": extra or {}}
        if message_type == "incoming" and conv["channel"] == "whatsapp":
            msg["source_id"] = f"wamid.standin{msg['id']}"
        conv["messages"].append(msg)
        return msg

    def _check_flood(self, conv: dict) -> None:
        cutoff = time.time() - 60
        recent = [m for m in conv["messages"] if m["message_type"] == "outgoing" and m["created_at"] >= cutoff]
        if len(recent) >= MESSAGES_PER_MINUTE:
            raise StandinError(422, "Too many messages")


def _message_input(conversation_id: int, body: dict, flags: list[str]) -> tuple[str, dict, dict | None]:
    """Validate a create-message body as Chatwoot does; (content_type, content_attributes, template_params)."""
    content_type = body.get("content_type") or "text"
    attributes = body.get("content_attributes") or {}
    if isinstance(attributes, str):
        attributes = json.loads(attributes or "{}")
    if body.get("source_id"):
        flags.append(f"source_id sent on reply to conversation {conversation_id}")
        raise StandinError(422, "source_id must not be sent on replies: Chatwoot would not deliver the message")
    _validate_items(content_type, attributes)
    message_type = body.get("message_type") or "outgoing"
    if message_type not in ("outgoing", "template"):
        raise StandinError(422, f"message_type {message_type!r} is only allowed in API inboxes")
    params = body.get("template_params")
    return content_type, attributes, validate_template_params(params) if params is not None else None


def _validate_items(content_type: str, attributes: dict) -> None:
    """`content_attribute_validator.rb`: input_select items are objects with exactly `title` and `value`."""
    if content_type != "input_select":
        return
    items = attributes.get("items")
    if not isinstance(items, list) or not items:
        raise StandinError(422, "Content attributes items can't be blank")
    for item in items:
        if not isinstance(item, dict) or not {"title", "value"} <= set(item) or set(item) - {"title", "value"}:
            raise StandinError(422, "input_select items need title and value")
