"""Helpers for the ingestion tests: recorded payloads, signed posts, the seam recorder."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path

import pytest

from conversations.models import AnswerState, Message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chatwoot"
URL = "/webhooks/chatwoot/"


def load(name: str) -> dict:
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text()))


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": f"sha256={digest}"}


def post(client, payload, *, delivery: str | None = "auto", headers: dict | None = None, url: str = URL,
         raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    extra = dict(headers or {})
    if delivery == "auto":
        delivery = str(uuid.uuid4())
    if delivery:
        extra["X-Chatwoot-Delivery"] = delivery
    return client.post(url, data=body, content_type="application/json", headers=extra)


@pytest.fixture
def seam_calls(monkeypatch):
    """Records the answer tasks ingestion enqueues for the agents app (the boundary to the floor above) instead of
    running the agent: one {"message_id", "conversation_id"} per message marked as owed an answer."""
    calls: list[dict] = []

    def record(message_id, conversation_id=None):
        message = Message.objects.get(pk=message_id)
        assert message.answer == AnswerState.PENDING  # the debt is recorded before the task is enqueued
        assert conversation_id in (None, message.conversation_id)
        calls.append({"message_id": message_id, "conversation_id": message.conversation_id})

    monkeypatch.setattr("agents.tasks.process_inbound_message", record)
    return calls


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """Post a payload and run its processing task (on-commit, django-q2 sync mode) like the worker would."""
    def _deliver(payload, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, payload, **kwargs)
    return _deliver
