"""A fake OpenAI chat-completions server for bench/faults.py: healthy, it routes the bench's own Spanish scripts
as a model would (a `route_message` tool call in the API's shape); on command it answers 5xx, 429, garbage or
hangs, as tests/fakes/openai_server.py does.

It serves many conversations at once, so it cannot answer from a script consumed in order: each answer is worked
out from the request itself (the contact's last message and the order state the system prompt states), for the
few sentences the bench sends. Product codes are given only when the catalog in the prompt lists them, as a
model reading that catalog would; anything else is routed as `info/other`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fakes.openai_server import FakeOpenAI, Scripted  # noqa: E402

# The products the bench's scripts order, by the words its contacts use, and the stand-in catalog's codes.
PRODUCTS = {"aceite de coco": "AC-COCO-KG", "aceite": "AC-COCO-KG", "almendras": "FS-ALM-KG"}
_ITEM = re.compile(r"(\d+)\s*(kg|kilos?)\s+(?:de\s+)?(aceite de coco|aceite|almendras)")
_STATE = re.compile(r"active order state is (\w+)")
FAQ_WORDS = ("hora", "abren", "despacho", "pago")


class BenchLLM(FakeOpenAI):
    """`set_mode("5xx" | "429" | "garbage" | "hang", retry_after=...)` and `set_mode(None)` as in the test fake;
    `latency` seconds before each healthy answer (a model takes a while: a worker killed "mid-turn" is killed
    while it waits)."""

    latency = 0.05

    def next_answer(self, endpoint: str, request: dict, headers: dict) -> Scripted:
        if self.modes or endpoint != "chat":  # a failure mode, or an endpoint the bench never calls (500)
            return super().next_answer(endpoint, request, headers)
        with self._lock:
            self.answered = getattr(self, "answered", 0) + 1
        return Scripted(delay=self.latency, tool_arguments=json.dumps(route_request(request)))


def route_request(request: dict) -> dict:
    messages = request.get("messages") or []
    system = next((m.get("content") or "" for m in messages if m.get("role") == "system"), "")
    text = next((m.get("content") or "" for m in reversed(messages) if m.get("role") == "user"), "")
    state = (_STATE.search(system) or [None, "none"])[1]
    return routing(str(text), state, catalog_codes(system))


def catalog_codes(system_prompt: str) -> set[str]:
    """The codes of the "code | name | uom" lines of the prompt's catalog."""
    return {line.split(" | ", 1)[0].strip() for line in system_prompt.splitlines() if line.count(" | ") == 2}


def routing(text: str, order_state: str, codes: set[str]) -> dict:
    lowered = text.lower()
    if "cancela" in lowered:
        return _decision("purchase", "order_cancel")
    if "confirmo" in lowered:  # agreement is a confirmation only while a quote waits (the prompt's rule)
        return _decision("purchase", "order_confirm") if order_state == "sent" else _decision("info", "other")
    if lowered.startswith("mejor que sean"):
        return _decision("purchase", "order_modify", _items(lowered, codes))
    if lowered.startswith(("necesito", "quiero")):
        return _decision("purchase", "order_create", _items(lowered, codes))
    if lowered.startswith("hola"):
        return _decision("info", "greeting")
    if "gracias" in lowered:
        return _decision("info", "thanks")
    if any(word in lowered for word in FAQ_WORDS):
        return _decision("info", "faq")
    return _decision("info", "other", confidence=0.6)


def _items(text: str, codes: set[str]) -> list[dict]:
    items = []
    for quantity, unit, words in _ITEM.findall(text):
        code = PRODUCTS[words]
        items.append({"product_code": code if code in codes else None, "product_text": words,
                      "quantity": float(quantity), "uom": "kg", "action": "set"})
    return items


def _decision(lane: str, intent: str, items: list | None = None, confidence: float = 0.95) -> dict:
    return {"lane": lane, "intent": intent, "confidence": confidence, "language": "es", "items": items or [],
            "secondary": []}
