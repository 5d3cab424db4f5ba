"""Builds a session document: a new one with defaults, or a hydrated one from what is stored."""

from __future__ import annotations

from datetime import datetime

from agents.session.schema import defaults
from agents.session.upcaster import upcast
from agents.session.validator import validate


def build_new(*, now: datetime, language: str = "es") -> dict:
    document = defaults()
    document["language"] = language
    document["timestamps"] = {"started_at": now.isoformat(), "last_activity_at": now.isoformat()}
    return validate(document)


def hydrate(stored: dict) -> dict:
    """Stored document (any known schema version) → current version, missing keys filled, validated."""
    document = upcast(stored)
    return validate(_fill_defaults(document, defaults()))


def _fill_defaults(document: dict, template: dict) -> dict:
    for key, value in template.items():
        if key not in document:
            document[key] = value
        elif isinstance(value, dict) and isinstance(document[key], dict) and value:
            _fill_defaults(document[key], value)
    return document
