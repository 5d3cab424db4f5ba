"""The case summary staff read in Chatwoot (a private note) when the bot hands a conversation over."""

from __future__ import annotations

from agents.lanes.base import AgentTurn
from agents.session import SessionState
from conversations.models import HandoffReason

# The private note is written for staff in the business's language.
REASON_TEXT = {
    HandoffReason.HUMAN_REQUEST: "el cliente pidió hablar con una persona",
    HandoffReason.COMPLAINT: "reclamo",
    HandoffReason.ORDER_ATTENTION: "un pedido necesita atención",
    HandoffReason.FAILURE: "el bot no pudo responder (error técnico)",
}
RECENT_LINES = 6


def case_summary(*, reason: HandoffReason, turn: AgentTurn, session: SessionState | None, extra: str = "") -> str:
    decision = turn.decision
    lines = [
        f"🤖 Derivado por el bot — motivo: {REASON_TEXT.get(reason, HandoffReason(reason).label)}.",
        f"Cliente: {turn.contact_name or 'sin nombre'} {turn.contact_phone}".rstrip(),
        f"Mensaje: «{_clip(turn.text, 500)}»",
        f"Clasificación: {decision.lane}/{decision.intent} (confianza {decision.confidence:.2f}, {decision.source}).",
    ]
    if extra:
        lines.append(extra)
    recent = (session.document.get("dialogue") if session else None) or []
    if recent:
        lines.append("Conversación reciente:")
        lines += [f"- {_who(e['role'])}: {_clip(e['text'], 160)}" for e in recent[-RECENT_LINES:]]
    return "\n".join(lines)


def _who(role: str) -> str:
    return "Cliente" if role == "user" else "Bot"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
