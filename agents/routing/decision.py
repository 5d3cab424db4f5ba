"""What a router returns. Shared by the rule-based router, the LLM router, the agents and `manage.py route`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

LANE_INTENTS: dict[str, tuple[str, ...]] = {
    "info": ("greeting", "faq", "thanks", "other"),
    "purchase": ("catalog_query", "order_create", "order_modify", "order_confirm", "order_cancel", "order_status"),
    "support": ("complaint", "human_handoff"),
}
INTENT_LANE: dict[str, str] = {intent: lane for lane, intents in LANE_INTENTS.items() for intent in intents}
ORDER_STATES = ("draft", "sent", "to_approve", "confirmed", "received", "cancelled")


@dataclass
class Candidate:
    product_code: str
    name: str
    score: float


@dataclass
class ExtractedItem:
    """One order line as understood from the text. `product_code` is None when nothing matched confidently."""

    product_code: str | None
    quantity: float
    uom: str | None
    text: str = ""  # the words that named the product
    score: float = 0.0
    ambiguous: bool = False  # a close call: ask the contact to choose among `candidates`
    candidates: list[Candidate] = field(default_factory=list)
    # order_modify only: "set" (mejor que sean 150), "add" (agrega 3 cajas), "remove" (quita la almendra)
    action: str = "set"
    quantity_missing: bool = False  # a product was named without a quantity ("quiero almendras"): ask how much
    # a swap ("no era almendra, era nuez, la misma cantidad"): the code of the line this one takes the place of
    replaces: str | None = None


@dataclass
class SecondaryRequest:
    lane: str
    intent: str
    items: list[ExtractedItem] = field(default_factory=list)
    confidence: float = 0.0
    text: str = ""  # the clause it was read from


def _items_json(items: list[ExtractedItem]) -> list[dict]:
    return [{"product_code": item.product_code, "quantity": float(item.quantity), "uom": item.uom} for item in items]


@dataclass
class RoutingDecision:
    lane: str
    intent: str
    confidence: float
    items: list[ExtractedItem] = field(default_factory=list)
    source: str = "rules"  # "llm" or "rules"
    language: str = "es"
    details: dict = field(default_factory=dict)  # scores, matched rules, readings, fallback reason…
    # A second request in the same message ("¿a qué hora cierran? y anótame 10 kg de nueces"): lane, intent and
    # items of each further request, in the order they were said. Empty for nearly every message.
    secondary: list[SecondaryRequest] = field(default_factory=list)

    def contract_json(self) -> dict:
        """The exact line `manage.py route` prints (CONTRACT section 4); "secondary" only when there is one."""
        line = {
            "lane": self.lane,
            "intent": self.intent,
            "confidence": round(float(self.confidence), 3),
            "items": _items_json(self.items),
            "source": self.source,
        }
        if self.secondary:
            line["secondary"] = [
                {"lane": extra.lane, "intent": extra.intent, "items": _items_json(extra.items)} for extra in self.secondary
            ]
        return line

    def as_dict(self) -> dict:
        return asdict(self)
