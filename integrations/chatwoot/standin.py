"""A local Chatwoot stand-in: a real HTTP server speaking the REST calls our client makes, and delivering the
webhooks Chatwoot would send back. Used by `make run` (`manage.py chatwoot_standin`) and by tests
(`tests.fakes.chatwoot.chatwoot_standin` fixture). No Django imports: it runs in a thread or on its own.

Validates as Chatwoot does (PROTOCOL.md section 5): `api_access_token` required (401), unknown conversation (404),
`input_select` items need `title` and `value` (422), at most 200 messages per conversation per minute (422
"Too many messages"). A reply carrying `source_id` is our bug (Chatwoot would silently not deliver it): refused
with 422 and recorded in `.flags`.

Every message we post is echoed as `message_created` (sender agent_bot, message_type outgoing) to `webhook_url`,
signed like Chatwoot (`sha256=` HMAC over "{ts}.{body}") when `secret` is set, with a fresh X-Chatwoot-Delivery.
`echo_timing="after"` (default, as Chatwoot: the webhook job runs after the request) or `"before"` (the echo is
delivered before the POST is answered: the race our echo matching must survive).

Test hooks: `fail_next(n, status=500, retry_after=None)`, `timeout_next(n, seconds, then_process=False)`,
`set_can_reply(conversation_id, bool)`, `add_conversation(...)`, `inbound(...)`; records in `.sent`,
`.status_changes`, `.typing`, `.assignments`, `.webhooks`, `.requests`, `.flags`.

Stand-in endpoints: `POST /standin/inbound`, `GET /standin/conversations/{id}/messages`,
`POST /standin/conversations/{id}/can_reply` `{"can_reply": bool}`, `GET /standin/conversations`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.request
import uuid
from collections import deque
from http.server import ThreadingHTTPServer
from typing import Callable

from integrations.chatwoot import standin_payloads as shapes
from integrations.chatwoot.standin_http import StandinError, _make_handler

logger = logging.getLogger(__name__)
MESSAGES_PER_MINUTE = 200  # CONVERSATION_MESSAGE_PER_MINUTE_LIMIT (lib/limits.rb)
INBOX_IDS = {"whatsapp": 1, "email": 2, "web": 3, "api": 4, "sms": 5, "telegram": 6}


class ChatwootStandin:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, token: str = "standin-token",
                 webhook_url: str | None = None, secret: str = "", echo_timing: str = "after"):
        self.token = token
        self.webhook_url = webhook_url
        self.webhook_sink: Callable[[dict, dict], None] | None = None  # tests: called instead of an HTTP POST
        self.secret = secret
        self.echo_timing = echo_timing
        self.conversations: dict[int, dict] = {}
        self.contacts: dict[str, dict] = {}
        self.sent: list[dict] = []
        self.status_changes: list[tuple[int, str]] = []
        self.typing: list[tuple[int, str]] = []
        self.assignments: list[tuple[int, object]] = []
        self.webhooks: list[dict] = []
        self.requests: list[tuple[str, str, object]] = []
        self.flags: list[str] = []
        self._failures: deque[tuple] = deque()
        self._ids = {"conversation": 100, "contact": 500, "message": 9000}
        self._lock = threading.RLock()
        self.server = ThreadingHTTPServer((host, port), _make_handler(self))
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a handler sleeping out an injected timeout must not block stop()
        self._thread: threading.Thread | None = None

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
        self.server.shutdown()
        self.server.server_close()

    # --- scripting ----------------------------------------------------------------------------------------
    def fail_next(self, n: int = 1, *, status: int = 500, retry_after: float | None = None) -> None:
        """The next `n` REST requests answer `status` (429 carries `Retry-After` when given)."""
        for _ in range(n):
            self._failures.append(("status", status, retry_after))

    def timeout_next(self, n: int = 1, *, seconds: float = 1.0, then_process: bool = False) -> None:
        """The next `n` REST requests stall `seconds`; with `then_process` the request is then carried out anyway
        (Chatwoot got it, our client timed out: the case that must not turn into a double post)."""
        for _ in range(n):
            self._failures.append(("timeout", seconds, then_process))

    def set_can_reply(self, conversation_id: int, can_reply: bool) -> None:
        with self._lock:
            self._conversation(conversation_id)["can_reply"] = can_reply

    def add_conversation(self, *, channel: str = "whatsapp", name: str = "Cliente Prueba",
                         phone_number: str = "+56911111111", conversation_id: int | None = None,
                         status: str = "pending", can_reply: bool = True) -> dict:
        with self._lock:
            contact = self._contact(name, phone_number)
            if conversation_id is None:
                conversation_id = self._next("conversation")
            conv = {
                "id": conversation_id, "inbox_id": INBOX_IDS.get(channel, 4), "channel": channel,
                "contact": contact, "source_id": (phone_number or "").lstrip("+") or uuid.uuid4().hex,
                "status": status, "can_reply": can_reply, "messages": [], "created_at": time.time(),
                "assignee": None,
            }
            self.conversations[conversation_id] = conv
            return conv

    def inbound(self, *, content: str, contact: dict | None = None, conversation_id: int | None = None,
                channel: str = "whatsapp") -> dict:
        """A contact writes in: creates contact/conversation when needed, delivers `conversation_created` (first
        time) and the incoming `message_created`. Returns the ids."""
        contact = contact or {}
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
            events = []
            if created:
                events.append({**shapes.conversation_webhook(conv), "event": "conversation_created"})
            if reopened:
                events.append({**shapes.conversation_webhook(conv), "event": "conversation_status_changed",
                               "changed_attributes": None})
            events.append(shapes.message_webhook(msg, conv))
        records = [self.deliver(event) for event in events]
        # `webhook_answered_at` (epoch seconds): when our app answered the message's webhook (bench/turns.py).
        return {"conversation_id": conv["id"], "contact_id": conv["contact"]["id"], "message_id": msg["id"],
                "webhook_status": records[-1]["status"], "webhook_answered_at": records[-1]["answered_at"]}

    def _latest_conversation_of(self, phone_number: str | None, channel: str) -> int | None:
        """Caller holds the lock. The newest conversation of the contact with this phone on this channel."""
        if not phone_number:
            return None
        mine = [c["id"] for c in self.conversations.values()
                if c["channel"] == channel and c["contact"].get("phone_number") == phone_number]
        return max(mine, default=None)

    def bot_messages(self, conversation_id: int) -> list[dict]:
        with self._lock:
            conv = self._conversation(conversation_id)
            return [shapes.message_rest(m, conv) for m in conv["messages"] if m["message_type"] == "outgoing"]

    def bot_message_times(self, conversation_id: int) -> dict[int, float]:
        """Epoch seconds at which each of the bot's messages was received (timing for bench/turns.py)."""
        with self._lock:
            conv = self._conversation(conversation_id)
            return {m["id"]: m["created_at"] for m in conv["messages"] if m["message_type"] == "outgoing"}

    # --- webhooks -----------------------------------------------------------------------------------------
    def deliver(self, payload: dict) -> dict:
        """One attempt, never retried (account webhooks are not retried: PROTOCOL.md section 4). Returns the
        record, with `answered_at` (epoch seconds) once our app answered."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "X-Chatwoot-Delivery": str(uuid.uuid4())}
        if self.secret:
            ts = str(int(time.time()))
            digest = hmac.new(self.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers.update({"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": f"sha256={digest}"})
        record = {"payload": payload, "headers": headers, "status": None, "answered_at": None}
        self.webhooks.append(record)
        try:
            if self.webhook_sink is not None:
                self.webhook_sink(payload, headers)
                record["status"] = 200
            elif self.webhook_url:
                request = urllib.request.Request(self.webhook_url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (local URL)
                    record["status"] = response.status
        except Exception as exc:  # Chatwoot logs and drops a failed delivery
            record["status"] = getattr(exc, "code", "error")
            logger.warning("standin webhook delivery failed: %s", exc)
        record["answered_at"] = time.time()
        return record

    # --- REST handlers (called with the parsed request) ---------------------------------------------------
    def create_message(self, conversation_id: int, body: dict) -> tuple[dict, dict | None]:
        content_type = body.get("content_type") or "text"
        attributes = body.get("content_attributes") or {}
        if isinstance(attributes, str):
            attributes = json.loads(attributes or "{}")
        if body.get("source_id"):
            self.flags.append(f"source_id sent on reply to conversation {conversation_id}")
            raise StandinError(422, "source_id must not be sent on replies: Chatwoot would not deliver the message")
        _validate_items(content_type, attributes)
        message_type = body.get("message_type") or "outgoing"
        if message_type not in ("outgoing", "template"):
            raise StandinError(422, f"message_type {message_type!r} is only allowed in API inboxes")
        with self._lock:
            conv = self._conversation(conversation_id)
            self._check_flood(conv)
            msg = self._store_message(conv, body.get("content") or "", "outgoing", content_type, attributes,
                                      bool(body.get("private")))
            self.sent.append({"conversation_id": conversation_id, "id": msg["id"], "content": msg["content"],
                              "content_type": content_type, "content_attributes": attributes,
                              "private": msg["private"]})
            return shapes.message_rest(msg, conv), shapes.message_webhook(msg, conv)

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
            return conv["assignee"]

    def show_conversation(self, conversation_id: int) -> dict:
        with self._lock:
            return shapes.conversation_rest(self._conversation(conversation_id))

    def list_conversations(self, query: dict) -> dict:
        page = max(int(query.get("page", "1") or 1), 1)
        status, inbox = query.get("status", "open"), query.get("inbox_id")
        with self._lock:
            rows = [c for c in sorted(self.conversations.values(), key=lambda c: c["id"])
                    if (status == "all" or c["status"] == status) and (not inbox or str(c["inbox_id"]) == inbox)]
            payload = [shapes.conversation_rest(c) for c in rows[(page - 1) * 25: page * 25]]
        meta = {"mine_count": 0, "assigned_count": 0, "unassigned_count": len(rows), "all_count": len(rows)}
        return {"data": {"meta": meta, "payload": payload}}

    def list_messages(self, conversation_id: int, query: dict) -> dict:
        before = int(query["before"]) if query.get("before") else None
        with self._lock:
            conv = self._conversation(conversation_id)
            rows = [m for m in conv["messages"] if before is None or m["id"] < before][-20:]
            payload = [shapes.message_rest(m, conv) for m in rows]
        meta = {"labels": [], "additional_attributes": {}, "contact": shapes.contact_push(conv["contact"]),
                "assignee": conv.get("assignee"), "agent_last_seen_at": 0, "assignee_last_seen_at": 0}
        return {"meta": meta, "payload": payload}

    # --- internals ------------------------------------------------------------------------------------------
    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def _conversation(self, conversation_id: int) -> dict:
        conv = self.conversations.get(conversation_id)
        if conv is None:
            raise StandinError(404, "Resource could not be found")
        return conv

    def _contact(self, name: str, phone_number: str) -> dict:
        key = phone_number or f"anon-{len(self.contacts)}"
        if key not in self.contacts:
            self.contacts[key] = {"id": self._next("contact"), "name": name, "phone_number": phone_number or None}
        return self.contacts[key]

    def _store_message(self, conv, content, message_type, content_type, attributes, private) -> dict:
        msg = {"id": self._next("message"), "content": content, "message_type": message_type,
               "content_type": content_type, "content_attributes": attributes, "private": private,
               "created_at": time.time(), "source_id": None}
        if message_type == "incoming" and conv["channel"] == "whatsapp":
            msg["source_id"] = f"wamid.standin{msg['id']}"
        conv["messages"].append(msg)
        return msg

    def _check_flood(self, conv: dict) -> None:
        cutoff = time.time() - 60
        recent = [m for m in conv["messages"] if m["message_type"] == "outgoing" and m["created_at"] >= cutoff]
        if len(recent) >= MESSAGES_PER_MINUTE:
            raise StandinError(422, "Too many messages")

    def take_failure(self) -> tuple | None:
        try:
            return self._failures.popleft()
        except IndexError:
            return None


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
