"""The agent interface. An agent reads the turn and the session and returns its decision as data: what to say, what
to remember, what to do to the contact's order, whether to hand over. It never writes a row or calls Odoo or
Chatwoot: the turn's commit applies the decision in one transaction and the effects run after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from agents.routing.decision import RoutingDecision
from agents.session import SessionState
from conversations.models import HandoffReason
from orders.models import PurchaseOrder
from orders.services import OrderChange


@dataclass
class Reply:
    content: str
    options: list[dict] = field(default_factory=list)  # [{"title", "value"}]; up to three go as buttons


@dataclass
class Handoff:
    """Hand the conversation to staff: mode `human`, mirrored to Chatwoot, `summary` posted as a private note."""

    reason: HandoffReason
    summary: str


@dataclass
class AgentResult:
    replies: list[Reply]
    patch: dict = field(default_factory=dict)  # a session patch (agents.session.patcher)
    handoff: Handoff | None = None
    order: OrderChange | None = None  # applied by the commit (orders.services.order_change_apply)
    notify_order_id: int | None = None  # tell this order's pending notices after commit (news the answer left to them)


@dataclass
class AgentTurn:
    """What an agent sees of the turn."""

    conversation_id: int
    text: str
    message_ids: list[int]
    decision: RoutingDecision
    contact_name: str = ""
    contact_phone: str = ""
    contact_id: int = 0
    order: PurchaseOrder | None = None  # the contact's active order, with its lines (read once per turn)
    order_news: bool = False  # the order just moved in Odoo: its notices tell the contact

    @property
    def language(self) -> str:
        return self.decision.language if self.decision.language in ("es", "en") else "es"


class Agent(Protocol):
    name: str

    def handle(self, turn: AgentTurn, session: SessionState) -> AgentResult: ...


def say(language: str, texts: dict[str, str]) -> str:
    """Pick the contact's language; Spanish when there is no translation."""
    return texts.get(language) or texts["es"]
