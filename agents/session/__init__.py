"""Session state of a conversation .

Parts with one job each: `schema` (contract and defaults), `builder` (new or hydrated), `validator` (structure and
meaning), `upcaster` (old schema versions forward), `patcher` (apply a patch), `store` (load, compare-and-set write,
cache). Other code uses the functions re-exported here.
"""

from agents.session.builder import build_new, hydrate
from agents.session.patcher import apply_patch
from agents.session.schema import DIALOGUE_CAP, SCHEMA_VERSION
from agents.session.store import SessionConflict, SessionState, session_history, session_load, session_patch
from agents.session.upcaster import UnknownSchemaVersion, upcast
from agents.session.validator import SessionInvalid, validate

__all__ = [
    "DIALOGUE_CAP", "SCHEMA_VERSION", "SessionConflict", "SessionInvalid", "SessionState", "UnknownSchemaVersion",
    "apply_patch", "build_new", "hydrate", "session_history", "session_load", "session_patch", "upcast", "validate",
]
