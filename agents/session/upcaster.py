"""Migrates stored session documents forward, one schema version at a time.

v1 (the first release, still found in rows written before schema 2):
    {"schema": 1, "lang": "es", "last_lane": "info", "last_intent": "faq",
     "history": [{"from": "contact" | "bot", "text": "..."}], "order": {...} | null,
     "pending_question": "..." | null, "pending_options": ["...", ...], "handed_off": bool, "handoff_reason": "",
     "turns": 3, "started_at": iso, "updated_at": iso}
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from agents.session.schema import DIALOGUE_CAP, SCHEMA_VERSION


class UnknownSchemaVersion(ValueError):
    pass


def stored_version(document: dict) -> int:
    version = document.get("schema_version", document.get("schema"))
    if not isinstance(version, int) or isinstance(version, bool):
        raise UnknownSchemaVersion(f"no schema version in the stored document: {version!r}")
    return version


def _v1_to_v2(old: dict) -> dict:
    roles = {"contact": "user", "bot": "assistant", "user": "user", "assistant": "assistant"}
    dialogue = [
        {"role": roles.get(entry.get("from"), "user"), "text": str(entry.get("text", "")), "at": entry.get("at")}
        for entry in old.get("history") or []
    ][-DIALOGUE_CAP:]
    question = old.get("pending_question")
    options = [{"title": str(o), "value": str(o)} for o in old.get("pending_options") or []]
    return {
        "schema_version": 2,
        "language": old.get("lang") if old.get("lang") in ("es", "en") else "es",
        "last": {"lane": old.get("last_lane"), "intent": old.get("last_intent")},
        "dialogue": dialogue,
        "slots": {
            "order": old.get("order"),
            "pending_question": {"text": question, "options": options} if question else None,
        },
        "handoff": _v1_handoff(old),
        "counters": {"turns": int(old.get("turns") or 0)},
        "timestamps": {"started_at": old.get("started_at"), "last_activity_at": old.get("updated_at")},
    }


def _v1_handoff(old: dict) -> dict:
    active = bool(old.get("handed_off"))
    # v1 allowed a handoff without a reason; v2 requires one.
    reason = old.get("handoff_reason") or ("handoff" if active else "")
    return {"active": active, "reason": reason, "at": None}


def _v2_to_v3(old: dict) -> dict:
    """v3 drops `handoff`: the conversation's mode is the one record of who has it."""
    new = {key: value for key, value in old.items() if key != "handoff"}
    new["schema_version"] = 3
    return new


# from-version → function producing the next version.
UPCASTERS: dict[int, Callable[[dict], dict]] = {1: _v1_to_v2, 2: _v2_to_v3}


def upcast(document: dict) -> dict:
    """Returns a new document at SCHEMA_VERSION; the input is not modified."""
    version = stored_version(document)
    if version > SCHEMA_VERSION:
        raise UnknownSchemaVersion(f"schema {version} is newer than this code ({SCHEMA_VERSION})")
    current = copy.deepcopy(document)
    while version < SCHEMA_VERSION:
        if version not in UPCASTERS:
            raise UnknownSchemaVersion(f"no upcaster from schema {version}")
        current = UPCASTERS[version](current)
        version = stored_version(current)
    return current
