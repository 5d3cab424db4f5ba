"""The session document contract: current schema version, defaults and limits.

Schema v3 (current):
    {
      "schema_version": 3,
      "language": "es" | "en",
      "last": {"lane": str | None, "intent": str | None},
      "dialogue": [{"role": "user" | "assistant", "text": str, "at": iso8601}],   # newest last, capped
      "slots": {"order": dict | None, "pending_question": {"text": str, "options": [{"title", "value"}]} | None},
      "counters": {"turns": int},
      "timestamps": {"started_at": iso8601, "last_activity_at": iso8601}
    }
Whether staff have the conversation is not session state: it is the conversation's mode (conversations.handoff).
"""

from __future__ import annotations

import copy

SCHEMA_VERSION = 3
DIALOGUE_CAP = 20
LANGUAGES = ("es", "en")
ROLES = ("user", "assistant")

DEFAULTS: dict = {
    "schema_version": SCHEMA_VERSION,
    "language": "es",
    "last": {"lane": None, "intent": None},
    "dialogue": [],
    "slots": {"order": None, "pending_question": None},
    "counters": {"turns": 0},
    "timestamps": {"started_at": None, "last_activity_at": None},
}


def defaults() -> dict:
    """A fresh deep copy: callers mutate it."""
    return copy.deepcopy(DEFAULTS)
