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


@dataclass
class RoutingDecision:
    lane: str
    intent: str
    confidence: float
    items: list[ExtractedItem] = field(default_factory=list)
    source: str = "rules"  # "llm" or "rules"
    language: str = "es"
    details: dict = field(default_factory=dict)  # scores, matched rules, fallback reason…

    def contract_json(self) -> dict:
        """The exact line `manage.py route` prints (CONTRACT section 4)."""
        return {
            "lane": self.lane,
            "intent": self.intent,
            "confidence": round(float(self.confidence), 3),
            "items": [
                {"product_code": item.product_code, "quantity": float(item.quantity), "uom": item.uom}
                for item in self.items
            ],
            "source": self.source,
        }

    def as_dict(self) -> dict:
        return asdict(self)
