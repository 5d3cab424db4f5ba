"""Checks a session document for structure (types, keys) and meaning (lane/intent consistent, caps, languages)."""

from __future__ import annotations

from agents.routing.decision import LANE_INTENTS
from agents.session.schema import DIALOGUE_CAP, LANGUAGES, ROLES, SCHEMA_VERSION


class SessionInvalid(ValueError):
    """The document breaks the contract; the message names the first problem found."""


def validate(document: dict) -> dict:
    """Returns the document unchanged when valid; raises SessionInvalid otherwise."""
    if not isinstance(document, dict):
        raise SessionInvalid("document must be an object")
    for check in CHECKS:
        check(document)
    return document


def _expect(document: dict, key: str, kind: type | tuple) -> object:
    value = document.get(key)
    if not isinstance(value, kind):
        raise SessionInvalid(f"{key} must be {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value


def _check_version(document: dict) -> None:
    if document.get("schema_version") != SCHEMA_VERSION:
        raise SessionInvalid(f"schema_version must be {SCHEMA_VERSION}, got {document.get('schema_version')!r}")


def _check_language(document: dict) -> None:
    if document.get("language") not in LANGUAGES:
        raise SessionInvalid(f"language must be one of {LANGUAGES}, got {document.get('language')!r}")


def _check_last(document: dict) -> None:
    last = _expect(document, "last", dict)
    lane, intent = last.get("lane"), last.get("intent")
    if lane is None and intent is None:
        return
    if lane not in LANE_INTENTS or intent not in LANE_INTENTS[lane]:
        raise SessionInvalid(f"last lane/intent inconsistent: {lane!r}/{intent!r}")


def _check_dialogue(document: dict) -> None:
    dialogue = _expect(document, "dialogue", list)
    if len(dialogue) > DIALOGUE_CAP:
        raise SessionInvalid(f"dialogue holds {len(dialogue)} entries, cap is {DIALOGUE_CAP}")
    for entry in dialogue:
        if not isinstance(entry, dict) or entry.get("role") not in ROLES or not isinstance(entry.get("text"), str):
            raise SessionInvalid(f"dialogue entry malformed: {entry!r}")


def _check_slots(document: dict) -> None:
    slots = _expect(document, "slots", dict)
    if slots.get("order") is not None and not isinstance(slots["order"], dict):
        raise SessionInvalid("slots.order must be an object or null")
    question = slots.get("pending_question")
    if question is None:
        return
    if not isinstance(question, dict) or not isinstance(question.get("text"), str):
        raise SessionInvalid("slots.pending_question must be {text, options} or null")
    options = question.get("options", [])
    if not isinstance(options, list) or any(not isinstance(o, dict) or "title" not in o for o in options):
        raise SessionInvalid("slots.pending_question.options must be [{title, value}]")


def _check_counters(document: dict) -> None:
    turns = _expect(document, "counters", dict).get("turns")
    if not isinstance(turns, int) or isinstance(turns, bool) or turns < 0:
        raise SessionInvalid(f"counters.turns must be a non-negative integer, got {turns!r}")


def _check_timestamps(document: dict) -> None:
    _expect(document, "timestamps", dict)


CHECKS = (
    _check_version, _check_language, _check_last, _check_dialogue, _check_slots, _check_counters,
    _check_timestamps,
)
