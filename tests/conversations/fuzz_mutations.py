"""Mutated Chatwoot webhook bodies derived from the recorded payloads (tests/fixtures/chatwoot/*.json).

Used by bench/fuzz.py (10,000+ bodies against the real processes) and by the in-process smoke test. Every body is
a function of (seed, index) alone, so a run is reproducible and a failing body can be rebuilt from its index:

    FuzzBodies(seed).body(index) -> FuzzBody(data: bytes, kinds: tuple[str, ...])

Mutations: wrong types at any path, missing and null fields, huge strings (10k-100k character names, bodies over
1 MiB), unicode (RTL, emoji, combining marks, NUL, lone surrogates in JSON escapes), numbers as strings, floats,
NaN/Infinity, negative and out-of-range ids, deep nesting, arrays where objects are expected, duplicate keys,
bodies that are not UTF-8 or not JSON; and valid variations (statuses, senders, echoes, channels, identifiers)
that reach the handlers with state they must get right. Phone numbers and e-mail addresses from PII_PHONES /
PII_EMAILS are spread through names, contents and attributes, so a log line that leaks one can be recognised.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chatwoot"
MAX_BODY = 1024 * 1024
# Synthetic PII, recognisable in logs. The digits of each phone are unique enough not to occur by chance.
PII_PHONES = ("+56987654321", "+5511987654321", "+15550104477", "+34612345678", "+56223456789")
PII_PHONE_SPELLINGS = ("+56 9 8765 4321", "+55 11 98765-4321", "+1 555.010.4477", "+1 (555) 010-4477",
                       "56987654321", "whatsapp:+15550104477", "(+56) 9 8765 4321")
PII_EMAILS = ("maria.perez@example.cl", "John.Doe@Example.COM", "ventas+pedido@ferreteria-sur.cl", "x@y.io")
UNICODE = ("مرحبا بالعالم", "שלום\u200f", "👍🏽🇨🇱", "Ñandú ÇŞ İstanbul", "e\u0301\u0301\u0301", "\u202eevil\u202c",
           "\u0000", "a\u0000b", "\ud800", "x\udfff", "\udbff\udfff", "\ufeff", "\u2028\u2029", "\x1b[31m", "𝔘𝔫𝔦")
# Fields the ingestion reads (conversations/ingest/schema.py): mutated more often than the rest.
READ_PATHS = (
    ("id",), ("event",), ("account",), ("account", "id"), ("message_type",), ("content",), ("content_type",),
    ("private",), ("source_id",), ("created_at",), ("sender",), ("sender", "id"), ("sender", "name"),
    ("sender", "type"), ("sender", "email"), ("sender", "phone_number"), ("sender", "identifier"),
    ("content_attributes",), ("content_attributes", "external_error"), ("content_attributes", "external_echo"),
    ("content_attributes", "email"), ("attachments",), ("conversation",), ("conversation", "id"),
    ("conversation", "status"), ("conversation", "channel"), ("conversation", "inbox_id"),
    ("conversation", "can_reply"), ("conversation", "created_at"), ("conversation", "additional_attributes"),
    ("conversation", "messages"), ("conversation", "contact_inbox"), ("conversation", "contact_inbox", "source_id"),
    ("conversation", "contact_inbox", "contact_id"), ("conversation", "meta"), ("conversation", "meta", "sender"),
    ("conversation", "meta", "sender", "name"), ("conversation", "meta", "sender", "email"),
    ("conversation", "meta", "sender", "phone_number"), ("conversation", "meta", "assignee"),
    ("status",), ("changed_attributes",), ("meta",), ("meta", "sender"), ("contact_inbox",), ("inbox_id",),
    ("name",), ("email",), ("phone_number",), ("identifier",), ("additional_attributes",), ("contact",),
    ("contact", "id"), ("current_conversation",), ("inbox",), ("channel_type",),
)


@dataclass(frozen=True)
class FuzzBody:
    data: bytes
    kinds: tuple[str, ...]


class _Raw:
    """Text spliced into the JSON after dumping: what json.dumps cannot write (1e400, duplicate keys, depth)."""

    def __init__(self, registry: dict, text: str, prefix: str = "RAW"):
        self.marker = f"\u0001{prefix}{len(registry)}\u0001"
        registry[self.marker] = text


def load_corpus() -> list[tuple[str, dict]]:
    return [(path.stem, json.loads(path.read_text())) for path in sorted(FIXTURES.glob("*.json"))]


class FuzzBodies:
    def __init__(self, seed: int, corpus: list[tuple[str, dict]] | None = None):
        self.seed = seed
        self.corpus = corpus or load_corpus()

    def body(self, index: int) -> FuzzBody:
        rng = random.Random(f"{self.seed}:{index}")
        name, template = rng.choice(self.corpus)
        payload = copy.deepcopy(template)
        _reidentify(payload, rng, index)
        _sprinkle_pii(payload, rng)
        raws: dict[str, str] = {}
        kinds = [name]
        for _ in range(rng.choice((0, 0, 1, 1, 1, 1, 2, 2, 3))):
            kind = rng.choices(list(TREE_MUTATIONS), weights=[w for _, w in TREE_MUTATIONS.values()])[0]
            TREE_MUTATIONS[kind][0](payload, rng, raws)
            kinds.append(kind)
        data = _dump(payload, rng, raws)
        if rng.random() < 0.06:
            kind = rng.choice(list(BYTE_MUTATIONS))
            data = BYTE_MUTATIONS[kind](data, rng)
            kinds.append(kind)
        return FuzzBody(data, tuple(kinds))


# --- realistic variety before the mutations ----------------------------------------------------------------------
def _reidentify(payload: dict, rng: random.Random, index: int) -> None:
    """Fresh message ids mostly (so bodies are not duplicates), small pools of conversations and contacts (so
    deliveries meet the same rows: updates, merges, status changes, out-of-order events)."""
    message_id = 10_000_000 + index if rng.random() < 0.85 else 9000 + rng.randrange(60)
    conversation_id, contact_id = 1000 + rng.randrange(300), 5000 + rng.randrange(250)
    event = payload.get("event", "")
    if event.startswith("message_"):
        _reidentify_message(payload, message_id, conversation_id, contact_id, index)
    elif event.startswith("conversation_") and "typing" not in event:
        payload["id"] = conversation_id
        _reidentify_contact_refs(payload, contact_id)
    elif event.startswith("contact_"):
        payload["id"] = contact_id
    elif event == "webwidget_triggered":
        payload["contact"]["id"] = contact_id
        payload["source_id"] = f"{rng.getrandbits(64):016x}-fuzz"


def _reidentify_message(payload: dict, message_id: int, conversation_id: int, contact_id: int, index: int) -> None:
    old = payload.get("id")
    payload["id"] = message_id
    conversation = payload["conversation"]
    conversation["id"] = conversation_id
    for pushed in conversation.get("messages") or []:
        if pushed.get("id") == old:
            pushed["id"] = message_id
    _reidentify_contact_refs(conversation, contact_id)
    sender = payload.get("sender")
    if isinstance(sender, dict) and sender.get("type") in (None, "contact"):
        sender["id"] = contact_id
    if payload.get("source_id"):
        payload["source_id"] = f"wamid.FUZZ{index}"


def _reidentify_contact_refs(conversation: dict, contact_id: int) -> None:
    sender = (conversation.get("meta") or {}).get("sender")
    if isinstance(sender, dict):
        sender["id"] = contact_id
    if isinstance(conversation.get("contact_inbox"), dict):
        conversation["contact_inbox"]["contact_id"] = contact_id


def _sprinkle_pii(payload: dict, rng: random.Random) -> None:
    """Contacts carry pooled phones and e-mails; some free text mentions them (a contact dictating a number)."""
    for person in _people(payload):
        if rng.random() < 0.5:
            person["phone_number"] = rng.choice(PII_PHONES)
        if rng.random() < 0.4:
            person["email"] = rng.choice(PII_EMAILS)
    if isinstance(payload.get("content"), str) and rng.random() < 0.3:
        payload["content"] += f" llámame al {rng.choice(PII_PHONE_SPELLINGS)} o {rng.choice(PII_EMAILS)}"


def _people(payload: dict) -> list[dict]:
    found = [payload.get("sender"), payload.get("contact"), ((payload.get("conversation") or {}).get("meta") or {})
             .get("sender"), (payload.get("meta") or {}).get("sender")]
    if payload.get("event", "").startswith("contact_"):
        found.append(payload)
    return [p for p in found if isinstance(p, dict) and p.get("type") in (None, "contact")]


# --- tree mutations ------------------------------------------------------------------------------------------------
def _all_paths(value, prefix=()) -> list[tuple]:
    paths = []
    if isinstance(value, dict):
        for key, item in value.items():
            paths.append((*prefix, key))
            paths.extend(_all_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            paths.append((*prefix, i))
            paths.extend(_all_paths(item, (*prefix, i)))
    return paths


def _pick_path(payload: dict, rng: random.Random) -> tuple:
    present = [p for p in READ_PATHS if _get(payload, p) is not _MISSING]
    if present and rng.random() < 0.6:
        return rng.choice(present)
    return rng.choice(_all_paths(payload) or [("event",)])


_MISSING = object()


def _get(value, path):
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return value


def _set(payload, path, new) -> None:
    parent, key = _get(payload, path[:-1]), path[-1]
    if isinstance(parent, dict) or (isinstance(parent, list) and isinstance(key, int) and key < len(parent)):
        parent[key] = new


def _odd_value(rng: random.Random, raws: dict):
    choices = (
        0, -1, 1, 1.5, -0.0, 58.0, "58", "", " ", "x", "null", "true", True, False, None, [], {}, [1], [{}],
        {"id": 1}, [None], 2**63, 2**63 - 1, -(2**63) - 1, 2**64, 10**30, float("nan"), float("inf"),
        float("-inf"), _Raw(raws, "1e400"), _Raw(raws, "-1e400"), _Raw(raws, "1E+2"), _Raw(raws, "0.1e-999"),
        rng.choice(UNICODE), rng.choice(PII_PHONE_SPELLINGS), rng.choice(PII_EMAILS), "2026-13-45T99:99:99Z",
        "2026-06-17T12:00:01", "9999-12-31T23:59:59Z", "0000-01-01", "1781697601", -1781697601, 1e20,
    )
    return rng.choice(choices)


def wrong_type(payload, rng, raws):
    _set(payload, _pick_path(payload, rng), _odd_value(rng, raws))


def missing(payload, rng, raws):
    path = _pick_path(payload, rng)
    parent = _get(payload, path[:-1])
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif isinstance(parent, list) and parent:
        parent.pop(min(path[-1], len(parent) - 1) if isinstance(path[-1], int) else 0)


def null(payload, rng, raws):
    _set(payload, _pick_path(payload, rng), None)


def huge_string(payload, rng, raws):
    size = rng.choice((256, 255, 300, 10_000, 40_000, 100_000))
    text = (rng.choice(UNICODE[:6]) + rng.choice(PII_PHONE_SPELLINGS) + " ") * (size // 20 + 1)
    _set(payload, rng.choice([p for p in READ_PATHS if len(p) <= 3]), text[:size])


def over_limit(payload, rng, raws):
    payload["content"] = "x" * (MAX_BODY + rng.randrange(1, 50_000))


def unicode_text(payload, rng, raws):
    _set(payload, _pick_path(payload, rng), "".join(rng.choice(UNICODE) for _ in range(rng.randint(1, 4))))


def unicode_key(payload, rng, raws):
    target = _get(payload, _pick_path(payload, rng)[:-1])
    if isinstance(target, dict):
        target[rng.choice(UNICODE + PII_EMAILS)] = rng.choice(UNICODE)


def number_as_string(payload, rng, raws):
    numeric = [p for p in _all_paths(payload) if type(_get(payload, p)) in (int, float)]
    if numeric:
        path = rng.choice(numeric)
        _set(payload, path, str(_get(payload, path)))


def float_or_nan(payload, rng, raws):
    numeric = [p for p in _all_paths(payload) if type(_get(payload, p)) is int] or [("id",)]
    path = rng.choice(numeric)
    value = _get(payload, path)
    value = value if isinstance(value, int) else 1
    _set(payload, path, rng.choice((value + 0.5, float(value), float("nan"), float("inf"), _Raw(raws, "1e400"))))


def id_out_of_range(payload, rng, raws):
    ids = [p for p in _all_paths(payload) if isinstance(p[-1], str) and p[-1].endswith("id")] or [("id",)]
    _set(payload, rng.choice(ids), rng.choice((0, -1, -(2**63), 2**63 - 1, 2**63, 2**64 + 7, 10**40, -(10**40))))


def deep_nesting(payload, rng, raws):
    depth = rng.choice((10, 63, 64, 65, 200, 990, 5_000, 100_000))
    opener, closer = rng.choice((("[", "]"), ('{"a":', "}")))
    _set(payload, _pick_path(payload, rng), _Raw(raws, opener * depth + "1" + closer * depth))


def array_for_object(payload, rng, raws):
    objects = [p for p in _all_paths(payload) if isinstance(_get(payload, p), dict)] or [()]
    path = rng.choice(objects)
    value = copy.deepcopy(_get(payload, path)) if path else {}
    new = rng.choice(([value], [], [value, value], list(value.values()) if isinstance(value, dict) else []))
    if path:
        _set(payload, path, new)


def duplicate_key(payload, rng, raws):
    objects = [p for p in _all_paths(payload) if isinstance(_get(payload, p), dict)]
    target = _get(payload, rng.choice(objects)) if objects and rng.random() < 0.5 else payload
    if not target:
        return
    key = rng.choice(list(target))
    marker = _Raw(raws, json.dumps(key), prefix="DUP").marker
    items = list(target.items())
    target.clear()
    # Before the real key (the real one wins) or after it (the duplicate wins).
    first = rng.random() < 0.5
    target.update(([(marker, _odd_value(rng, raws))] if first else []) + items +
                  ([] if first else [(marker, _odd_value(rng, raws))]))


def swap_event(payload, rng, raws):
    payload["event"] = rng.choice(("message_created", "message_updated", "conversation_created",
                                   "conversation_updated", "conversation_status_changed", "conversation_opened",
                                   "conversation_resolved", "contact_created", "contact_updated",
                                   "webwidget_triggered", "inbox_created", "conversation_typing_on",
                                   "automation_event.message_created", "x" * 300, "message_created\u0000"))


def bad_timestamp(payload, rng, raws):
    path = rng.choice((("created_at",), ("conversation", "created_at")))
    _set(payload, path, rng.choice(("2026-02-30T10:00:00Z", "2026-06-17T12:00:01+99:00", "yesterday", "",
                                    "10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", 4102444801, -5, 0, 1e300)))


VALID_VARIATIONS = (
    (("status",), ("open", "pending", "resolved", "snoozed", "", "escalated")),
    (("conversation", "status"), ("open", "pending", "resolved", "snoozed", "", None)),
    (("message_type",), ("incoming", "outgoing", "template", "activity", "bogus", None)),
    (("sender",), (None, {}, {"id": 3, "name": "Alice", "type": "user"}, {"id": 5, "type": "agent_bot"},
                   {"id": 7, "name": "Captain", "type": "captain_assistant"})),
    (("private",), (True, False, None)),
    (("content",), ("", None, "sí", "quiero 10 sacos de cemento y 3 palas", "hola " * 20_000, "👍")),
    (("content_attributes",), ({"external_echo": True}, {"external_error": "131047: Re-engagement message"},
                               {"email": {"subject": "Re: pedido", "text_content": {"quoted": "gracias"}}},
                               {"email": {}}, None)),
    (("conversation", "channel"), ("Channel::Whatsapp", "Channel::Email", "Channel::WebWidget", "Channel::Api",
                                   "Channel::TwilioSms", "Channel::Telegram", "Channel::Line", None)),
    (("conversation", "meta", "assignee"), (None, {"id": 3, "type": "user"}, {"id": 5, "type": "agent_bot"})),
    (("conversation", "contact_inbox", "source_id"), PII_PHONE_SPELLINGS + PII_EMAILS + ("US.13491208655302741918",)),
    (("conversation", "meta", "sender", "identifier"), ("user-1", "user-2", None, "")),
    (("conversation", "can_reply"), (True, False, None)),
    (("created_at",), ("2026-06-17T12:00:01", "2026-06-17T12:00:01.254+02:00", None, "", 0)),
    (("changed_attributes",), ([{"status": {"current_value": "pending"}}], [{"status": None}], [], None)),
    (("identifier",), ("user-1", "user-2", None)),
    (("email",), PII_EMAILS + (None, "")),
)


def valid_variation(payload, rng, raws):
    """Values the schema accepts but the handlers must still get right: statuses, senders, echoes, merges."""
    path, values = rng.choice(VALID_VARIATIONS)
    if _get(payload, path[:-1]) is not _MISSING:
        _set(payload, path, copy.deepcopy(rng.choice(values)))


TREE_MUTATIONS = {
    "valid_variation": (valid_variation, 40),
    "wrong_type": (wrong_type, 30), "missing": (missing, 10), "null": (null, 10), "huge_string": (huge_string, 5),
    "over_1_mib": (over_limit, 1), "unicode_text": (unicode_text, 10), "unicode_key": (unicode_key, 3),
    "number_as_string": (number_as_string, 6), "float_or_nan": (float_or_nan, 6),
    "id_out_of_range": (id_out_of_range, 8), "deep_nesting": (deep_nesting, 3),
    "array_for_object": (array_for_object, 5), "duplicate_key": (duplicate_key, 4), "swap_event": (swap_event, 4),
    "bad_timestamp": (bad_timestamp, 4),
}


# --- serialising and byte mutations -------------------------------------------------------------------------------
def _dump(payload: dict, rng: random.Random, raws: dict) -> bytes:
    def default(value):
        if isinstance(value, _Raw):
            return value.marker
        raise TypeError(type(value))

    # ensure_ascii=False writes lone surrogates raw: encoded with surrogatepass they make a body that is not UTF-8.
    text = json.dumps(payload, ensure_ascii=rng.random() < 0.4, default=default,
                      separators=rng.choice(((",", ":"), (", ", ": "))))
    for marker, raw in raws.items():
        text = text.replace(json.dumps(marker), raw)
    return text.encode("utf-8", "surrogatepass")


def _latin1(data, rng):
    return data.decode("utf-8", "replace").encode("latin-1", "replace") + "ñ".encode("latin-1")


def _utf16(data, rng):
    return data.decode("utf-8", "replace").encode(rng.choice(("utf-16", "utf-16-le", "utf-32")))


def _bom(data, rng):
    return b"\xef\xbb\xbf" + data


def _stray_byte(data, rng):
    at = rng.randrange(len(data) or 1)
    return data[:at] + rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\x80\x80")) + data[at:]


def _truncated(data, rng):
    return data[: rng.randrange(len(data) or 1)]


def _not_json(data, rng):
    return rng.choice((b"", b"null", b"[]", b"123", b'"x"', b"{", b"{'event': 'message_created'}",
                       b'{"event": "message_created",}', b"<xml/>", b"event=message_created", b"\x00" * 10))


BYTE_MUTATIONS = {"latin-1": _latin1, "utf-16": _utf16, "bom": _bom, "stray_byte": _stray_byte,
                  "truncated": _truncated, "not_json": _not_json}
