"""Support lane: a request for a person hands over at once; a complaint is acknowledged, recorded and handed over."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from agents import hours
from agents.lanes.base import AgentResult, AgentTurn, Handoff, Reply, say
from agents.lanes.handoff import case_summary
from agents.session import SessionState
from conversations.models import HandoffReason


def _when_staff_answer(language: str) -> str:
    if hours.is_open():
        return say(language, {"es": "Te responderá en este mismo chat a la brevedad.",
                              "en": "They will answer you in this same chat shortly."})
    return say(language, {
        "es": f"{hours.open_now_text(None, 'es')} Te responderá en este mismo chat apenas abramos.",
        "en": f"{hours.open_now_text(None, 'en')} They will answer you in this same chat as soon as we open.",
    })


def _handoff_patch() -> dict:
    return {"slots": {"pending_question": None}}


def _human_request(turn: AgentTurn, session: SessionState) -> AgentResult:
    text = say(turn.language, {
        "es": f"Claro, te comunico con una persona del equipo de {settings.BUSINESS_NAME}.",
        "en": f"Sure, I'm connecting you with someone from the {settings.BUSINESS_NAME} team.",
    })
    summary = case_summary(reason=HandoffReason.HUMAN_REQUEST, turn=turn, session=session)
    return AgentResult(
        replies=[Reply(f"{text} {_when_staff_answer(turn.language)}")],
        patch=_handoff_patch(),
        handoff=Handoff(HandoffReason.HUMAN_REQUEST, summary),
    )


def _complaint(turn: AgentTurn, session: SessionState) -> AgentResult:
    text = say(turn.language, {
        "es": "Lamentamos mucho lo ocurrido. Registramos tu reclamo y una persona de nuestro equipo lo revisará.",
        "en": "We are very sorry about this. We have recorded your complaint and someone from our team will review it.",
    })
    summary = case_summary(reason=HandoffReason.COMPLAINT, turn=turn, session=session)
    return AgentResult(
        replies=[Reply(f"{text} {_when_staff_answer(turn.language)}")],
        patch=_handoff_patch(),
        handoff=Handoff(HandoffReason.COMPLAINT, summary),
    )


INTENT_HANDLERS: dict[str, Callable[[AgentTurn, SessionState], AgentResult]] = {
    "human_handoff": _human_request,
    "complaint": _complaint,
}


class SupportAgent:
    name = "support"

    def handle(self, turn: AgentTurn, session: SessionState) -> AgentResult:
        return INTENT_HANDLERS.get(turn.decision.intent, _human_request)(turn, session)
