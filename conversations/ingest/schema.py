"""What a Chatwoot payload must look like before we take it: every field the ingestion reads, per event.

One door, used by the webhook edge and again by the worker (rows stored by an older version are re-checked):

    payload_decode(body: bytes) -> str      the raw body as text, or PayloadError("the body is not UTF-8")
    payload_parse(text: str) -> dict        the payload, or PayloadError with a one-line reason naming the field

The rules, decided from PROTOCOL.md section 2 and Chatwoot's swagger.json:
- ids are JSON integers from 1 to 2**63 - 1 (PostgreSQL bigint). Chatwoot serialises its integer columns as JSON
  numbers, never as strings (swagger.json's "number" ids are integer columns), so "58", 58.0 and true are refused
  rather than guessed at. The other way round, source ids, phone numbers, e-mails, statuses and types are string
  columns in Chatwoot: a number there is refused too ("source_id": 5511987654321 is not Chatwoot's).
- keys are refused when too long for their column instead of clipped (a clipped key could name another row):
  source ids and identifiers 255, e-mail 254 (after lower-casing), content_type 32, conversation status 16.
- free text (names, content, subjects) is clipped by the handlers to its column; only its type is checked here.
- timestamps are ISO-8601 strings (message created_at; without an offset read as UTC) or unix seconds as JSON
  numbers (conversation created_at), 0, "" or null for none, between 1970 and 2100; anything else, including
  unix seconds written as a string, is refused rather than stored as "now".
- anywhere in the body: no NaN/Infinity (not JSON), no NUL and no lone UTF-16 surrogate in a string or key
  (PostgreSQL can store neither, and Chatwoot never sends them), at most 64 levels of nesting.
- unknown keys are allowed (Chatwoot adds fields); duplicate keys keep the last value, as `json.loads` does in
  both the edge and the worker, so both read the same payload.
The schema is JSON Schema draft-04 (whose "integer" excludes 1.0), compiled once into plain Python by
fastjsonschema: a few microseconds per delivery, which the webhook's latency budget needs (bench/ingest.py).
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone as dt_timezone

import fastjsonschema

from conversations.ingest.parsing import to_datetime
from conversations.models import Contact, ContactIdentity, Conversation, Message

BIGINT_MAX = 2**63 - 1
MAX_DEPTH = 64


def _column(model, field: str) -> int:
    return model._meta.get_field(field).max_length


EMAIL_COLUMN = _column(Contact, "email")
# 1970-01-01 .. 2100-01-01 (unix seconds): Chatwoot stamps "now"; far dates are junk and break local-time display.
TIME_MIN, TIME_MAX = 0, 4102444800
_TIME_MIN_DT = datetime.fromtimestamp(TIME_MIN, tz=dt_timezone.utc)
_TIME_MAX_DT = datetime.fromtimestamp(TIME_MAX, tz=dt_timezone.utc)
# A NUL or a surrogate can only reach a decoded string through a \u escape (raw ones are not valid JSON / UTF-8),
# so bodies without such an escape skip the walk over every string.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


class PayloadError(ValueError):
    """A delivery we cannot process as sent: refused at the edge (400) or recorded as failed in the worker."""

    def __init__(self, reason: str, event: str = ""):
        super().__init__(reason)
        self.reason, self.event = reason, event


# --- schema building blocks ------------------------------------------------------------------------------------
def _nullable(schema: dict) -> dict:
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*types, "null"]}


ID = {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX}
OPTIONAL_ID = _nullable(ID)
TEXT = {"type": ["string", "null"]}
FLAG = {"type": ["boolean", "null"]}
JSON_OBJECT = {"type": ["object", "null"]}
TIMESTAMP = {"type": ["string", "integer", "number", "null"], "format": "chatwoot-time",
             "minimum": TIME_MIN, "maximum": TIME_MAX}


def _key(max_length: int) -> dict:
    return {"type": ["string", "null"], "maxLength": max_length}


def _object(properties: dict, required: tuple[str, ...] = (), nullable: bool = True) -> dict:
    schema = {"type": ["object", "null"] if nullable else "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _array_of(items: dict) -> dict:
    return {"type": ["array", "null"], "items": items}


ACCOUNT = _object({"id": OPTIONAL_ID})
# Contact#webhook_data, and `sender` (a contact, a user or a bot: only a contact's identity fields are used).
# Strings that are not stored as they are (types, channels, phone numbers before E.164) are bounded at ENUM_LENGTH
# or 255 so an absurd one is refused rather than carried through the handlers.
ENUM_LENGTH = 64
PERSON = {
    "id": OPTIONAL_ID, "name": TEXT, "type": _key(ENUM_LENGTH), "identifier": _key(_column(Contact, "identifier")),
    "phone_number": _key(255), "email": {"type": ["string", "null"], "format": "email-column"},
    "additional_attributes": JSON_OBJECT,
}
PUSH_MESSAGE = _object({"id": OPTIONAL_ID, "status": _key(ENUM_LENGTH)}, nullable=False)
STATUS = _key(_column(Conversation, "chatwoot_status"))
IDENTITY_SOURCE_ID = _key(_column(ContactIdentity, "source_id"))
CONVERSATION = {  # Conversation#webhook_data
    "id": ID, "inbox_id": OPTIONAL_ID, "status": STATUS, "channel": _key(ENUM_LENGTH), "can_reply": FLAG,
    "additional_attributes": JSON_OBJECT, "created_at": TIMESTAMP, "messages": _array_of(PUSH_MESSAGE),
    "contact_inbox": _object({"contact_id": OPTIONAL_ID, "source_id": IDENTITY_SOURCE_ID}),
    "meta": _object({"sender": _object(PERSON), "channel": _key(ENUM_LENGTH),
                     "assignee": _object({"id": OPTIONAL_ID, "type": _key(ENUM_LENGTH)})}),
}
CHANGED_ATTRIBUTES = _array_of(_object({"status": _object({"current_value": STATUS})}, nullable=False))
CONTENT_ATTRIBUTES = _object({
    "external_error": TEXT, "external_echo": FLAG,
    "email": _object({"subject": TEXT, "text_content": _object({"quoted": TEXT})}),
})
ATTACHMENT = _object({"id": OPTIONAL_ID, "file_type": _key(ENUM_LENGTH), "data_url": TEXT,
                      "transcribed_text": TEXT, "content_type": TEXT}, nullable=False)


def _event(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
            "properties": {"event": {"type": "string"}, "account": ACCOUNT, **properties},
            "required": ["event", *required]}


_ACCOUNT_ID = {"account": _object({"id": ID}, required=("id",), nullable=False)}
MESSAGE_EVENT = _event({
    **_ACCOUNT_ID, "id": ID, "conversation": _object(CONVERSATION, required=("id",), nullable=False),
    "message_type": _key(ENUM_LENGTH), "content": TEXT, "content_type": _key(_column(Message, "content_type")),
    "private": FLAG, "source_id": _key(_column(Message, "source_id")), "created_at": TIMESTAMP,
    "sender": _object(PERSON), "content_attributes": CONTENT_ATTRIBUTES, "attachments": _array_of(ATTACHMENT),
}, required=("id", "account", "conversation"))
CONVERSATION_EVENT = _event({**CONVERSATION, **_ACCOUNT_ID, "changed_attributes": CHANGED_ATTRIBUTES},
                            required=("id", "account"))
CONTACT_EVENT = _event({**PERSON, **_ACCOUNT_ID, "id": ID}, required=("id", "account"))
WEBWIDGET_EVENT = _event({
    **_ACCOUNT_ID, "contact": _object({**PERSON, "id": ID}, required=("id",), nullable=False),
    "inbox": _object({"id": OPTIONAL_ID}), "source_id": IDENTITY_SOURCE_ID,
    "current_conversation": _object({**CONVERSATION, "id": OPTIONAL_ID}),
}, required=("account", "contact"))
INBOX_EVENT = _event({"channel_type": _key(ENUM_LENGTH)})
OTHER_EVENT = _event({})

SCHEMAS: dict[str, dict] = {
    "message_created": MESSAGE_EVENT, "message_updated": MESSAGE_EVENT,
    **{name: CONVERSATION_EVENT for name in ("conversation_created", "conversation_updated",
                                             "conversation_status_changed", "conversation_opened",
                                             "conversation_resolved")},
    "contact_created": CONTACT_EVENT, "contact_updated": CONTACT_EVENT,
    "webwidget_triggered": WEBWIDGET_EVENT,
    "inbox_created": INBOX_EVENT, "inbox_updated": INBOX_EVENT,
}


# --- formats that JSON Schema cannot say ------------------------------------------------------------------------
def _is_chatwoot_time(value: str) -> bool:
    """What `to_datetime` will read: an ISO-8601 string inside the accepted range ("" means none)."""
    try:
        parsed = to_datetime(value)
    except (ValueError, OverflowError):
        return False
    if parsed is None:
        return value == ""
    return _TIME_MIN_DT <= parsed < _TIME_MAX_DT


def _fits_email_column(value: str) -> bool:
    # Stored stripped and lower-cased; lower-casing can lengthen a string ("İ" becomes two code points).
    return len(value) <= EMAIL_COLUMN and len(value.strip().lower()) <= EMAIL_COLUMN


_FORMATS = {"chatwoot-time": _is_chatwoot_time, "email-column": _fits_email_column}
_FORMAT_REASONS = {"chatwoot-time": "is not a valid timestamp (ISO 8601 or unix seconds, 1970 to 2100)",
                   "email-column": f"is longer than {EMAIL_COLUMN} characters"}
_VALIDATORS = {event: fastjsonschema.compile(schema, formats=_FORMATS) for event, schema in SCHEMAS.items()}
_VALIDATE_OTHER = fastjsonschema.compile(OTHER_EVENT, formats=_FORMATS)


# --- parsing ---------------------------------------------------------------------------------------------------
def payload_decode(body: bytes) -> str:
    """Chatwoot sends UTF-8 (PROTOCOL.md section 4); the body is stored as text, so anything else is refused."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("the body is not UTF-8") from None


def payload_parse(text: str) -> dict:
    """Parse and check one delivery body; the result is safe for every handler in CHATWOOT_EVENT_HANDLERS."""
    payload = _load(text)
    if not isinstance(payload, dict):
        raise PayloadError("the body must be a JSON object")
    event = payload.get("event")
    if not isinstance(event, str) or not event:
        raise PayloadError("missing event")
    try:
        _check_strings_and_depth(payload, text)
        _VALIDATORS.get(event, _VALIDATE_OTHER)(payload)
    except PayloadError as exc:
        exc.event = event
        raise
    except fastjsonschema.JsonSchemaValueException as exc:
        raise PayloadError(schema_reason(exc), event) from None
    return payload


class _NonFinite(Exception):
    pass


def _refuse_non_finite(_text: str):
    raise _NonFinite


def _finite_float(text: str) -> float:
    value = float(text)  # "1e400" is valid JSON but overflows to inf
    if not math.isfinite(value):
        raise _NonFinite
    return value


_MARK = object()


def _float_or_mark(text: str):
    number = float(text)
    return number if math.isfinite(number) else _MARK


def _load(text: str):
    try:
        return _decode_json(text, _refuse_non_finite, _finite_float)
    except _NonFinite:
        # Slow path, only for a refused body: parse again with a marker to name the field (the rest of the body
        # may still be malformed, which _decode_json then says instead).
        payload = _decode_json(text, lambda _: _MARK, _float_or_mark)
        path = next((_path(_parts(node)) for node, value in _walk(payload) if value is _MARK), "a number")
        raise PayloadError(f"{path} is not a finite number (NaN and Infinity are not JSON)") from None


def _decode_json(text: str, parse_constant, parse_float):
    if text.count("{") + text.count("[") > MAX_DEPTH and _nested_deeper_than_the_limit(text):
        raise PayloadError(f"the body is nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=parse_constant, parse_float=parse_float)
    except RecursionError:
        raise PayloadError(f"the body is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise PayloadError("malformed JSON") from None


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")
_OPENERS_PAST_THE_LIMIT = re.compile(r"[\[{]{%d}" % (MAX_DEPTH + 2))


def _nested_deeper_than_the_limit(text: str) -> bool:
    """Before parsing: a body nested past the limit is refused without letting the parser recurse into it. Near
    the interpreter's recursion limit, a garbage collection the parser's allocations trigger runs finalizers
    that fail for want of stack (unraisable errors, lost clean-up). Strings dropped, brackets only, one level of
    innermost pairs removed per pass: each pass runs at the regex engine's speed."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(MAX_DEPTH + 1):
        if _OPENERS_PAST_THE_LIMIT.search(brackets):
            return True  # the usual attack, a long run of openers, without a pass per level
        brackets, removed = _INNERMOST_PAIR.subn("", brackets)
        if not brackets or not removed:
            return False  # shallow enough, or unbalanced: the parser then says malformed
    return bool(brackets)


def _walk(root):
    """(node, value) for every value and every object key, depth first, without recursion.

    A node is (parent node, key, depth); the path is only built for a refused field (`_parts`), so a body of
    long keys and many children costs no more than its size.
    """
    stack = [((None, None, 0), root)]
    while stack:
        node, value = stack.pop()
        yield node, value
        depth = node[2] + 1
        if isinstance(value, dict):
            for key, item in value.items():
                child = (node, key, depth)
                yield child, key
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend(((node, i, depth), item) for i, item in enumerate(value))


def _parts(node) -> list:
    parts = []
    while node[0] is not None:
        parts.append(node[1])
        node = node[0]
    return parts[::-1]


def _check_strings_and_depth(payload: dict, text: str) -> None:
    # Fewer brackets than the limit cannot nest deeper than it: most bodies skip the depth walk.
    deep = text.count("{") + text.count("[") > MAX_DEPTH
    suspect = _SUSPECT_ESCAPE.search(text) is not None
    if not (deep or suspect):
        return
    for node, value in _walk(payload):
        if node[2] > MAX_DEPTH:
            raise PayloadError(f"the body is nested deeper than {MAX_DEPTH} levels")
        if suspect and isinstance(value, str):
            _check_storable(node, value)


def _check_storable(node, value: str) -> None:
    if "\x00" in value:
        raise PayloadError(f"{_path(_parts(node))} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PayloadError(f"{_path(_parts(node))} contains a lone UTF-16 surrogate") from None


# --- reasons ---------------------------------------------------------------------------------------------------
_TYPE_WORDS = {"integer": "an integer", "string": "a string", "object": "an object", "array": "an array",
               "boolean": "true or false", "number": "a number", "null": "null"}


def schema_reason(exc: fastjsonschema.JsonSchemaValueException) -> str:
    """One line naming the field: 'missing conversation.id', 'id must be an integer', ..."""
    name = exc.name.removeprefix("data").removeprefix(".")  # fastjsonschema names fields `data.a[0].b`
    path = _printable(name)
    if exc.rule == "required":
        missing = next(k for k in exc.rule_definition if k not in exc.value)
        return f"missing {_printable(f'{name}.{missing}' if name else missing)}"
    if exc.rule == "type":
        if exc.value is None and not name.endswith("]"):
            return f"missing {path}"
        types = exc.rule_definition if isinstance(exc.rule_definition, list) else [exc.rule_definition]
        return f"{path} must be {' or '.join(_TYPE_WORDS.get(t, t) for t in types)}"
    if exc.rule in ("minimum", "maximum"):
        return f"{path} must be between {exc.definition['minimum']} and {exc.definition['maximum']}"
    if exc.rule == "maxLength":
        return f"{path} is longer than {exc.rule_definition} characters"
    if exc.rule == "format":
        return f"{path} {_FORMAT_REASONS[exc.rule_definition]}"
    return f"{path} is not valid ({exc.rule})"


def _path(parts: list) -> str:
    """`conversation.messages[0].id` from the keys and indexes down to a field."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        if len(text) > 120:
            break
    return _printable(text)


def _printable(text: str) -> str:
    """Field names come from the sender: kept short, on one line, and encodable."""
    if len(text) > 120:
        text = text[:120] + "…"
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\\u0000")
    return " ".join(text.split()) or "the body"
