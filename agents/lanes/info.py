"""Info lane: greetings, thanks, FAQ answers (admin-editable, with live opening hours) and a helpful fallback."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from agents import hours
from agents.faq import faq_match, render_answer
from agents.lanes.base import AgentResult, AgentTurn, Reply, say
from agents.session import SessionState

# Buttons offered by the greeting and the fallback. Their titles come back as the contact's next message, and the
# router / FAQ matcher understand them ("Horarios" is an FAQ variant, "Hablar con alguien" a handoff). Titles stay
# within the 20 characters WhatsApp allows on a reply button.
MENU = {
    "es": [{"title": "Hacer un pedido", "value": "pedido"}, {"title": "Horarios", "value": "horarios"},
           {"title": "Hablar con alguien", "value": "humano"}],
    "en": [{"title": "Place an order", "value": "pedido"}, {"title": "Opening hours", "value": "horarios"},
           {"title": "Talk to a person", "value": "humano"}],
}
HOURS_WORDS = ("hora", "horario", "abren", "abierto", "cierran", "atienden", "open", "close", "hours")


def _greeting_text(language: str) -> str:
    name = settings.BUSINESS_NAME
    return say(language, {
        "es": f"¡Hola! Te saluda el asistente de {name}. ¿En qué te puedo ayudar?",
        "en": f"Hi! This is the {name} assistant. How can I help you?",
    })


def _with_menu(text: str, language: str) -> AgentResult:
    options = MENU.get(language, MENU["es"])
    return AgentResult(
        replies=[Reply(text, options)],
        patch={"slots": {"pending_question": {"text": text, "options": options}}},
    )


def _greeting(turn: AgentTurn, session: SessionState) -> AgentResult:
    return _with_menu(_greeting_text(turn.language), turn.language)


def _thanks(turn: AgentTurn, session: SessionState) -> AgentResult:
    text = say(turn.language, {
        "es": "¡De nada! Si necesitas algo más, escríbenos cuando quieras.",
        "en": "You're welcome! Write to us any time you need something else.",
    })
    return AgentResult(replies=[Reply(text)], patch=_clear_question())


def _fallback(turn: AgentTurn, session: SessionState) -> AgentResult:
    text = say(turn.language, {
        "es": "No estoy seguro de haber entendido. Puedo ayudarte con estas opciones, o cuéntame con otras palabras:",
        "en": "I'm not sure I understood. I can help you with these options, or tell me in other words:",
    })
    return _with_menu(text, turn.language)


def _hours_answer(language: str) -> str:
    now = timezone.now()
    if language == "en":
        return f"Our opening hours (Santiago time): {hours.weekly_hours_text('en')}. {hours.open_now_text(now, 'en')}"
    return f"Nuestro horario de atención es {hours.weekly_hours_text('es')}. {hours.open_now_text(now, 'es')}"


def _clear_question() -> dict:
    return {"slots": {"pending_question": None}}


def _answer_question(turn: AgentTurn, session: SessionState) -> AgentResult | None:
    """An FAQ answer, or the opening hours when the question is about them and no FAQ covers it; else None."""
    match = faq_match(turn.text)
    if match is not None:
        text = render_answer(match.faq, language=turn.language)
        turn.decision.details["faq"] = {"key": match.faq.key, "variant": match.variant, "score": match.score}
    elif any(word in turn.text.lower() for word in HOURS_WORDS):
        text = _hours_answer(turn.language)
    else:
        return None
    if turn.decision.intent == "greeting":
        text = f"{_greeting_text(turn.language).split('.')[0]}. {text}"
    return AgentResult(replies=[Reply(text)], patch=_clear_question())


INTENT_HANDLERS: dict[str, Callable[[AgentTurn, SessionState], AgentResult]] = {
    "greeting": _greeting,
    "thanks": _thanks,
    "faq": _fallback,
    "other": _fallback,
}


class InfoAgent:
    name = "info"

    def handle(self, turn: AgentTurn, session: SessionState) -> AgentResult:
        # A question wins over the intent's default: "hola, ¿a qué hora abren?" deserves the hours, not a menu.
        if turn.decision.intent != "thanks":
            answered = _answer_question(turn, session)
            if answered is not None:
                return answered
        return INTENT_HANDLERS.get(turn.decision.intent, _fallback)(turn, session)
