"""The one Chatwoot REST client: httpx, explicit timeouts, typed responses, classified errors.

Every call is one `ExternalCall` row (`integrations.calls.logged_call`). With `settings.DRY_RUN` the write calls
send nothing: they are logged and audited with outcome `dry_run` and return a plausible result; reads still go out.
Upstream reference: `shared/chatwoot/PROTOCOL.md` section 5 and Chatwoot's `swagger/swagger.json` (paths below).
The client retries nothing itself: callers decide (the send service backs off per message, see
`conversations.outbound`), because each retry must be visible on the Message row.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from integrations.calls import logged_call
from integrations.chatwoot.errors import ChatwootError

# Chatwoot's page sizes (PROTOCOL.md section 5, "Listing and backfill").
CONVERSATIONS_PER_PAGE = 25
MESSAGES_PER_PAGE = 20


@dataclass(frozen=True)
class SentMessage:
    id: int | None  # None only in DRY_RUN
    conversation_id: int
    content: str
    content_type: str
    private: bool
    status: str
    created_at: int | None
    dry_run: bool = False
    raw: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class StatusChange:
    conversation_id: int
    current_status: str
    dry_run: bool = False


@dataclass(frozen=True)
class ConversationInfo:
    id: int
    status: str
    can_reply: bool
    inbox_id: int | None
    raw: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class InboxInfo:
    id: int
    name: str
    channel_type: str  # e.g. "Channel::Whatsapp", "Channel::Email"
    message_templates: list[dict]  # WhatsApp: Meta's template objects as Chatwoot synced them
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def is_whatsapp(self) -> bool:
        return "whatsapp" in self.channel_type.lower()


@dataclass(frozen=True)
class ConversationPage:
    page: int
    conversations: list[dict]  # Chatwoot's REST conversation objects, as returned
    all_count: int | None

    @property
    def is_last(self) -> bool:
        return len(self.conversations) < CONVERSATIONS_PER_PAGE


@dataclass(frozen=True)
class MessagePage:
    messages: list[dict]  # REST message objects, ascending by id
    meta: dict

    @property
    def is_last(self) -> bool:
        return len(self.messages) < MESSAGES_PER_PAGE

    @property
    def oldest_id(self) -> int | None:
        return min((m["id"] for m in self.messages), default=None)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


class ChatwootClient:
    def __init__(self, *, base_url: str, account_id: int, token: str, timeout: float, dry_run: bool = False):
        self.base = f"{base_url.rstrip('/')}/api/v1/accounts/{account_id}"
        self.token = token
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self.dry_run = dry_run

    # --- writes ---------------------------------------------------------------------------------------------
    # PROTOCOL.md §5 "Send a message"; swagger: POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages
    def send_message(
        self,
        conversation_id: int,
        content: str,
        *,
        content_type: str = "text",
        content_attributes: dict | None = None,
        private: bool = False,
        template_params: dict | None = None,
    ) -> SentMessage:
        """`template_params` ({name, category, language, processed_params: {body: {"1": ...}}}): WhatsApp sends the
        approved template instead of free text, which is how a message gets through past the 24-hour window
        (PROTOCOL.md section 8, `Message::TEMPLATE_PARAMS_SCHEMA`)."""
        # Never `source_id`: Chatwoot would treat the reply as coming from the channel and not deliver it.
        body: dict[str, Any] = {"content": content, "message_type": "outgoing", "private": private}
        if content_type != "text":
            body["content_type"] = content_type
        if content_attributes:
            body["content_attributes"] = content_attributes
        if template_params:
            body["template_params"] = template_params
        path = f"/conversations/{conversation_id}/messages"
        if self.dry_run:
            self._dry_run("send_message", path, body)
            return SentMessage(None, conversation_id, content, content_type, private, "sent", int(time.time()), True)
        data = self._request("send_message", "POST", path, json_body=body)
        return SentMessage(
            id=int(data["id"]),
            conversation_id=conversation_id,
            content=data.get("content") or "",
            content_type=data.get("content_type") or content_type,
            private=bool(data.get("private", private)),
            status=data.get("status") or "sent",
            created_at=data.get("created_at"),
            raw=data,
        )

    # PROTOCOL.md §5 "Status, typing, priority"; swagger: POST .../conversations/{conversation_id}/toggle_status
    def toggle_status(self, conversation_id: int, status: str) -> StatusChange:
        path = f"/conversations/{conversation_id}/toggle_status"
        body = {"status": status}
        if self.dry_run:
            self._dry_run("toggle_status", path, body)
            return StatusChange(conversation_id, status, dry_run=True)
        data = self._request("toggle_status", "POST", path, json_body=body)
        payload = data.get("payload") or {}
        return StatusChange(conversation_id, payload.get("current_status") or status)

    # swagger: POST .../conversations/{conversation_id}/toggle_typing_status
    def toggle_typing(self, conversation_id: int, on: bool) -> None:
        path = f"/conversations/{conversation_id}/toggle_typing_status"
        body = {"typing_status": "on" if on else "off"}
        if self.dry_run:
            self._dry_run("toggle_typing", path, body)
            return
        self._request("toggle_typing", "POST", path, json_body=body)

    # PROTOCOL.md §5 "Assignment and labels"; swagger: POST .../conversations/{conversation_id}/assignments
    def assign(self, conversation_id: int, assignee_id: int | None) -> dict | None:
        path = f"/conversations/{conversation_id}/assignments"
        body = {"assignee_id": assignee_id}
        if self.dry_run:
            self._dry_run("assign", path, body)
            return None
        return self._request("assign", "POST", path, json_body=body) or None

    # --- reads (also in DRY_RUN: they change nothing) ---------------------------------------------------------
    # swagger: GET .../conversations/{conversation_id} (bot tokens may call `show`)
    def get_conversation(self, conversation_id: int) -> ConversationInfo:
        data = self._request("get_conversation", "GET", f"/conversations/{conversation_id}")
        return ConversationInfo(
            id=int(data["id"]),
            status=data.get("status") or "",
            can_reply=bool(data.get("can_reply", True)),
            inbox_id=data.get("inbox_id"),
            raw=data,
        )

    # swagger: GET /api/v1/accounts/{account_id}/inboxes (user token; agent bots may not list inboxes)
    def list_inboxes(self) -> list[InboxInfo]:
        data = self._request("list_inboxes", "GET", "/inboxes")
        return [_inbox(item) for item in data.get("payload") or []]

    # swagger: GET /api/v1/accounts/{account_id}/inboxes/{id}; WhatsApp inboxes carry `message_templates`
    def get_inbox(self, inbox_id: int) -> InboxInfo:
        return _inbox(self._request("get_inbox", "GET", f"/inboxes/{inbox_id}"))

    # PROTOCOL.md §5 "Listing and backfill": 25 per page, `status=all` for every status (user token only).
    def list_conversations(self, page: int = 1, status: str = "all", inbox_id: int | None = None) -> ConversationPage:
        params: dict[str, Any] = {"page": page, "status": status, "assignee_type": "all"}
        if inbox_id is not None:
            params["inbox_id"] = inbox_id
        data = self._request("list_conversations", "GET", "/conversations", params=params)
        inner = data.get("data") or {}
        meta = inner.get("meta") or {}
        return ConversationPage(page=page, conversations=list(inner.get("payload") or []), all_count=meta.get("all_count"))

    # PROTOCOL.md §5: latest 20 ascending; `before=<smallest id seen>` pages back until a page has fewer than 20.
    def list_messages(self, conversation_id: int, before: int | None = None) -> MessagePage:
        params = {"before": before} if before is not None else None
        data = self._request("list_messages", "GET", f"/conversations/{conversation_id}/messages", params=params)
        messages = sorted(data.get("payload") or [], key=lambda m: m["id"])
        return MessagePage(messages=messages, meta=data.get("meta") or {})

    # --- the one HTTP seam ------------------------------------------------------------------------------------
    def _request(self, name: str, method: str, path: str, *, json_body=None, params=None) -> dict:
        summary = f"{method} {path}" + (f" {json.dumps(json_body, ensure_ascii=False)[:500]}" if json_body else "")
        with logged_call("chatwoot", name, summary) as record:
            response = self._http(method, path, json_body, params)
            record.response_summary = f"{response.status_code} {response.text[:500]}"
            _raise_for_status(response)
            return _json(response)

    def _http(self, method: str, path: str, json_body, params) -> httpx.Response:
        try:
            return _http_client(self.timeout).request(
                method,
                self.base + path,
                json=json_body,
                params=params,
                headers={"api_access_token": self.token, "Accept": "application/json"},
                timeout=self.timeout,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Never reached Chatwoot: safe to repeat.
            raise ChatwootError(f"connection error: {exc.__class__.__name__}: {exc}", transient=True) from exc
        except httpx.TimeoutException as exc:
            raise ChatwootError(f"timeout: {exc.__class__.__name__}", transient=True, ambiguous=True) from exc
        except httpx.TransportError as exc:
            raise ChatwootError(f"transport error: {exc.__class__.__name__}: {exc}", transient=True, ambiguous=True) from exc

    def _dry_run(self, name: str, path: str, body: dict) -> None:
        with logged_call("chatwoot", name, f"POST {path} {json.dumps(body, ensure_ascii=False)[:500]}", dry_run=True) as r:
            r.response_summary = "dry run: nothing sent"


_HTTP_CLIENTS: dict[tuple, httpx.Client] = {}
_HTTP_LOCK = threading.Lock()


def _http_client(timeout: httpx.Timeout) -> httpx.Client:
    """One pooled httpx.Client per process and timeout: a fresh client per call costs a new TCP connection and an
    SSL context (tens of milliseconds), which the reply latency budget cannot afford. httpx.Client is thread-safe."""
    key = (timeout.connect, timeout.read)
    with _HTTP_LOCK:
        client = _HTTP_CLIENTS.get(key)
        if client is None:
            client = _HTTP_CLIENTS[key] = httpx.Client(timeout=timeout)
        return client


def _raise_for_status(response: httpx.Response) -> None:
    code = response.status_code
    if code < 400:
        return
    text = response.text[:300]
    if code == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        raise ChatwootError(f"429 rate limited: {text}", transient=True, status=code, retry_after=retry_after)
    if code == 422 and "Too many messages" in text:
        # The per-conversation flood guard (200/min, lib/limits.rb) clears within a minute: worth waiting for.
        raise ChatwootError(f"422 flood guard: {text}", transient=True, status=code, retry_after=60.0)
    # A 5xx does not say whether Chatwoot applied the request before failing: a message may exist. The caller
    # looks it up (or waits for its echo) before posting again.
    raise ChatwootError(f"{code}: {text}", transient=code >= 500, status=code, ambiguous=code >= 500)


def _json(response: httpx.Response) -> dict:
    if not response.content:
        return {}
    try:
        data = response.json()
    except ValueError as exc:
        # The request was answered 2xx: whatever it asked for happened, only the answer is unreadable.
        raise ChatwootError(f"invalid JSON from Chatwoot: {response.text[:200]}", transient=True,
                            ambiguous=True) from exc
    return data if isinstance(data, dict) else {"payload": data}


def _inbox(data: dict) -> InboxInfo:
    templates = data.get("message_templates")
    return InboxInfo(id=int(data["id"]), name=data.get("name") or "", channel_type=data.get("channel_type") or "",
                     message_templates=templates if isinstance(templates, list) else [], raw=data)


def chatwoot_client() -> ChatwootClient:
    """The client configured from settings (re-read on each call so tests and DRY_RUN toggles apply at once)."""
    return ChatwootClient(
        base_url=settings.CHATWOOT_BASE_URL,
        account_id=settings.CHATWOOT_ACCOUNT_ID,
        token=settings.CHATWOOT_API_TOKEN,
        timeout=float(settings.CHATWOOT_TIMEOUT),
        dry_run=bool(settings.DRY_RUN),
    )
