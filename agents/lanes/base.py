"""The agent interface. An agent reads the turn and the session and returns what to say and what to remember; it
never sends anything or writes conversation state itself (the orchestration task does, in one transaction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from agents.routing.decision import RoutingDecision
from agents.session import SessionState
from conversations.models import HandoffReason


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


@dataclass
class AgentTurn:
    """What an agent sees of the turn."""

    conversation_id: int
    text: str
    message_ids: list[int]
    decision: RoutingDecision
    contact_name: str = ""
    contact_phone: str = ""

    @property
    def language(self) -> str:
        return self.decision.language if self.decision.language in ("es", "en") else "es"


class Agent(Protocol):
    name: str

    def handle(self, turn: AgentTurn, session: SessionState) -> AgentResult: ...


def say(language: str, texts: dict[str, str]) -> str:
    """Pick the contact's language; Spanish when there is no translation."""
    return texts.get(language) or texts["es"]
