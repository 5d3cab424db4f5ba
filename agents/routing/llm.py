"""The LLM router: asks the model for a `route_message` tool call and validates it before anyone uses it.

Validation: lane and intent must be the contract's exact strings and belong together (in `secondary` too);
"order_confirm" needs a waiting quote; confidence is a number in [0, 1]; item product codes must exist in the
catalog, otherwise the product words are re-matched with the fuzzy matcher. Anything else raises `InvalidOutput`, and `route()` falls
back to the rules for that turn.
"""

from __future__ import annotations

import json

from agents.routing.catalog import Catalog
from agents.routing.decision import LANE_INTENTS, ExtractedItem, RoutingDecision, SecondaryRequest
from agents.routing.matching import content_words
from integrations.openai.client import chat_tool_call

MAX_CATALOG_IN_PROMPT = 150
MAX_HISTORY_TURNS = 6
ORDER_INTENTS = ("order_create", "order_modify")


class InvalidOutput(ValueError):
    """The model answered, but not with something we can use."""


def _item_schema() -> dict:
    return {
        "type": "object",
        "properties": {
            "product_code": {"type": ["string", "null"], "description": "default_code from the catalog, or null"},
            "product_text": {"type": "string", "description": "the words the customer used for the product"},
            "quantity": {"type": "number", "minimum": 0, "description": "in the product's uom; 0 to remove"},
            "uom": {"type": ["string", "null"]},
            "action": {"type": "string", "enum": ["set", "add", "remove"]},
        },
        "required": ["product_code", "product_text", "quantity", "uom", "action"],
    }


def _tool() -> dict:
    intents = sorted({intent for group in LANE_INTENTS.values() for intent in group})
    item = _item_schema()
    secondary = {
        "type": "object",
        "properties": {
            "lane": {"type": "string", "enum": sorted(LANE_INTENTS)},
            "intent": {"type": "string", "enum": intents},
            "items": {"type": "array", "items": item},
        },
        "required": ["lane", "intent", "items"],
    }
    return {
        "type": "function",
        "function": {
            "name": "route_message",
            "description": "Classify the customer's message and extract order lines.",
            "parameters": {
                "type": "object",
                "properties": {
                    "lane": {"type": "string", "enum": sorted(LANE_INTENTS)},
                    "intent": {"type": "string", "enum": intents},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "language": {"type": "string", "enum": ["es", "en"]},
                    "items": {"type": "array", "items": item},
                    "secondary": {
                        "type": "array",
                        "items": secondary,
                        "description": "only when the message clearly makes a second, different request "
                        "(e.g. an order plus a question about opening hours); usually empty",
                    },
                },
                "required": ["lane", "intent", "confidence", "language", "items"],
            },
        },
    }


def _system_prompt(order_state: str | None, catalog_lines: list[str]) -> str:
    lanes = "; ".join(f"lane {lane}: {', '.join(intents)}" for lane, intents in LANE_INTENTS.items())
    return (
        "You route WhatsApp messages from customers of a Chilean wholesale food distributor. "
        f"Lanes and intents (exact strings): {lanes}. "
        f"The customer's active order state is {order_state or 'none'}. Short agreement ('si', 'dale', 'ok') is "
        "order_confirm only when the state is 'sent' (a quote is waiting); otherwise it is 'other'. "
        "Extract order lines only for order_create and order_modify, quantities converted to the product's uom "
        "(e.g. 48 jars of a 'Caja x12' product is 4). The main request goes in lane/intent/items; a second, "
        "different request in the same message goes in 'secondary' (the order first, the question second). "
        "Catalog (code | name | uom):\n" + "\n".join(catalog_lines)
    )


def _catalog_lines(text: str, catalog: Catalog) -> list[str]:
    entries = catalog.entries
    if len(entries) > MAX_CATALOG_IN_PROMPT:  # a big catalog: only the products the text is closest to
        ranked = catalog.matcher.score_all(content_words(text) or [""])
        entries = [entry for _, entry in ranked[:30]]
    return [f"{e.code} | {e.name} | {e.uom}" for e in entries]


def _messages(text: str, order_state, catalog: Catalog, history: list[dict] | None) -> list[dict]:
    messages = [{"role": "system", "content": _system_prompt(order_state, _catalog_lines(text, catalog))}]
    for turn in (history or [])[-MAX_HISTORY_TURNS:]:
        role = "assistant" if turn.get("role") in ("assistant", "bot", "agent") else "user"
        messages.append({"role": role, "content": str(turn.get("text") or turn.get("content") or "")[:1000]})
    messages.append({"role": "user", "content": text[:4000]})
    return messages


def route_by_llm(
    text: str, *, order_state: str | None, catalog: Catalog, history: list[dict] | None = None
) -> RoutingDecision:
    """Raises LLMError (transport) or InvalidOutput (content); the caller falls back to the rules."""
    result = chat_tool_call(messages=_messages(text, order_state, catalog, history), tool=_tool(), purpose="route")
    if result.arguments is None:
        raise InvalidOutput(f"no valid tool call: {(result.raw_arguments or result.content)[:200]!r}")
    decision = validate(result.arguments, order_state=order_state, catalog=catalog)
    decision.details.update({"model": result.model, "tokens": [result.prompt_tokens, result.completion_tokens]})
    return decision


def _lane_intent(arguments: dict, order_state: str | None) -> tuple[str, str]:
    lane, intent = arguments.get("lane"), arguments.get("intent")
    if lane not in LANE_INTENTS or intent not in LANE_INTENTS[lane]:
        raise InvalidOutput(f"lane/intent not in the contract or inconsistent: {lane!r}/{intent!r}")
    if intent == "order_confirm" and order_state != "sent":
        raise InvalidOutput(f"order_confirm without a waiting quote (order_state={order_state!r})")
    return lane, intent


def _items(arguments: dict, intent: str, catalog: Catalog) -> list[ExtractedItem]:
    raw_items = arguments.get("items") or []
    if not isinstance(raw_items, list):
        raise InvalidOutput("items must be a list")
    return [_item(raw, catalog) for raw in raw_items] if intent in ORDER_INTENTS else []


def validate(arguments: dict, *, order_state: str | None, catalog: Catalog) -> RoutingDecision:
    if not isinstance(arguments, dict):
        raise InvalidOutput("arguments are not an object")
    lane, intent = _lane_intent(arguments, order_state)
    confidence = arguments.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        raise InvalidOutput(f"confidence must be a number in [0, 1], got {confidence!r}")
    items = _items(arguments, intent, catalog)
    language = arguments.get("language") if arguments.get("language") in ("es", "en") else "es"
    details = {"llm": json.dumps(arguments)[:2000], "readings": [{"lane": lane, "intent": intent, "p": confidence}]}
    decision = RoutingDecision(lane, intent, float(confidence), items, "llm", language, details)
    decision.secondary = _secondary(arguments.get("secondary"), intent, order_state, catalog)
    return decision


def _secondary(raw, primary: str, order_state: str | None, catalog: Catalog) -> list[SecondaryRequest]:
    """Validated like the primary (exact lane/intent strings, order_confirm only with a quote, known codes); a
    repeat of the primary intent is dropped, since it is the same request said twice."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidOutput("secondary must be a list")
    found = []
    for extra in raw:
        if not isinstance(extra, dict):
            raise InvalidOutput(f"secondary entry is not an object: {extra!r}")
        lane, intent = _lane_intent(extra, order_state)
        if intent != primary and intent not in (s.intent for s in found):
            found.append(SecondaryRequest(lane, intent, _items(extra, intent, catalog)))
    return found


def _item(raw, catalog: Catalog) -> ExtractedItem:
    if not isinstance(raw, dict):
        raise InvalidOutput(f"item is not an object: {raw!r}")
    quantity = raw.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, (int, float)) or quantity < 0:
        raise InvalidOutput(f"item quantity must be a number >= 0, got {quantity!r}")
    action = raw.get("action") if raw.get("action") in ("set", "add", "remove") else "set"
    code, words = raw.get("product_code"), str(raw.get("product_text") or "")
    entry = catalog.get(code if isinstance(code, str) else None)
    if entry:
        return ExtractedItem(entry.code, float(quantity), entry.uom, words, 1.0, action=action)
    # Unknown or invented code: trust the customer's words, not the model's code.
    match = catalog.matcher.match(words or str(code or ""))
    matched = catalog.get(match.product_code)
    return ExtractedItem(
        product_code=match.product_code,
        quantity=float(quantity),
        uom=matched.uom if matched else raw.get("uom"),
        text=words,
        score=round(match.score, 3),
        ambiguous=match.ambiguous,
        candidates=match.candidates,
        action=action,
    )


__all__ = ["InvalidOutput", "route_by_llm", "validate"]
