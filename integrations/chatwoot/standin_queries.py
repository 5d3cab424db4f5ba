"""What the Chatwoot stand-in answers about what it knows: the REST reads (conversation, inbox, lists, paging as
Chatwoot pages) and the stand-in's own views for tests, benchmarks and fault suites."""

from __future__ import annotations

import threading
import time

from integrations.chatwoot import standin_payloads as shapes
from integrations.chatwoot.standin_http import StandinError

INBOX_IDS = {"whatsapp": 1, "email": 2, "web": 3, "api": 4, "sms": 5, "telegram": 6}
CONVERSATIONS_PER_PAGE, MESSAGES_PER_PAGE = 25, 20  # PROTOCOL.md section 5, "Listing and backfill"


class StandinQueries:
    """Mixed into `ChatwootStandin`, which provides the records, `conversations`, `_lock` and `_conversation`."""

    def show_conversation(self, conversation_id: int) -> dict:
        with self._lock:
            return shapes.conversation_rest(self._conversation(conversation_id))

    def show_inbox(self, inbox_id: int) -> dict:
        channel = next((name for name, known in INBOX_IDS.items() if known == inbox_id), None)
        if channel is None:
            raise StandinError(404, "Resource could not be found")
        with self._lock:
            return shapes.inbox_rest(inbox_id, channel, self.message_templates)

    def list_inboxes(self) -> dict:
        return {"payload": [self.show_inbox(inbox_id) for inbox_id in sorted(INBOX_IDS.values())]}

    def list_conversations(self, query: dict) -> dict:
        page = max(int(query.get("page", "1") or 1), 1)
        status, inbox = query.get("status", "open"), query.get("inbox_id")
        with self._lock:
            rows = [c for c in sorted(self.conversations.values(), key=lambda c: c["id"])
                    if (status == "all" or c["status"] == status) and (not inbox or str(c["inbox_id"]) == inbox)]
            first = (page - 1) * CONVERSATIONS_PER_PAGE
            payload = [shapes.conversation_rest(c) for c in rows[first: first + CONVERSATIONS_PER_PAGE]]
        meta = {"mine_count": 0, "assigned_count": 0, "unassigned_count": len(rows), "all_count": len(rows)}
        return {"data": {"meta": meta, "payload": payload}}

    def list_messages(self, conversation_id: int, query: dict) -> dict:
        before = int(query["before"]) if query.get("before") else None
        with self._lock:
            conv = self._conversation(conversation_id)
            rows = [m for m in conv["messages"] if before is None or m["id"] < before][-MESSAGES_PER_PAGE:]
            payload = [shapes.message_rest(m, conv) for m in rows]
        meta = {"labels": [], "additional_attributes": {}, "contact": shapes.contact_push(conv["contact"]),
                "assignee": conv.get("assignee"), "agent_last_seen_at": 0, "assignee_last_seen_at": 0}
        return {"meta": meta, "payload": payload}

    def bot_messages(self, conversation_id: int) -> list[dict]:
        with self._lock:
            conv = self._conversation(conversation_id)
            return [shapes.message_rest(m, conv) for m in conv["messages"] if m["message_type"] == "outgoing"]

    def wait_bot_messages(self, conversation_id: int, after: int, timeout: float) -> None:
        """Return once the conversation holds more than `after` bot messages, or after `timeout` seconds (at most
        30): a long poll, so that sixty waiting contacts do not load the machine they measure."""
        deadline = time.monotonic() + min(max(timeout, 0.0), 30.0)
        with self._lock:
            conv = self._conversation(conversation_id)
            posted = self._bot_posted.setdefault(conversation_id, threading.Condition(self._lock))
            while sum(m["message_type"] == "outgoing" for m in conv["messages"]) <= after:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                posted.wait(remaining)

    def bot_message_times(self, conversation_id: int) -> dict[int, float]:
        """Epoch seconds at which each of the bot's messages was received (timing for bench/turns.py)."""
        with self._lock:
            conv = self._conversation(conversation_id)
            return {m["id"]: m["created_at"] for m in conv["messages"] if m["message_type"] == "outgoing"}

    def records(self) -> dict:
        """What the stand-in did, for a test or a fault suite in another process (`GET /standin/records`)."""
        webhooks = [{"event": w["payload"].get("event"), "id": w["payload"].get("id"),
                     "message_type": w["payload"].get("message_type"),
                     "delivery_id": w["headers"].get("X-Chatwoot-Delivery"), "status": w["status"],
                     "fault": w.get("fault")} for w in list(self.webhooks)]
        return {"sent": list(self.sent), "sent_templates": list(self.sent_templates),
                "status_changes": list(self.status_changes), "typing": list(self.typing),
                "assignments": list(self.assignments), "flags": list(self.flags), "webhooks": webhooks,
                "faults_applied": list(self.faults.applied)}
