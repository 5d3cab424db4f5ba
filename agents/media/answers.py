"""What a turn's media decide, once they are understood (`agents.media.reading`). Pure over the turn, the session
and the local catalog: no I/O, nothing written.

- Lines read from a photo or PDF of a purchase list are an `order_create` with those items, matched to the local
  catalog as typed lines are, so the purchase lane resolves them, asks about close calls and the quote follows.
- A turn with nothing to route but media we could not understand gets the plain answer: what we cannot do now
  (listen to audio, read images or files) and two buttons, type it or talk to a person. So does a turn whose
  words say nothing the agents could act on ("hola" beside a voice note nobody could hear).
- Otherwise the agents answer what the contact wrote, after a short note about what we could not understand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings

from agents.lanes.base import AgentResult, Reply
from agents.lanes.options import match_option
from agents.media import texts
from agents.routing.catalog import Catalog
from agents.routing.decision import Candidate, ExtractedItem, RoutingDecision
from agents.routing.rules import items_for
from agents.session import SessionState
from agents.turns import NO_LIST, TurnInput, Unread, line_text
from integrations.openai.order_lines import OrderLine

QUESTION_KIND = "media"


@dataclass
class MediaTurn:
    """The media side of one turn. `decision`: decided without routing (a tap on our buttons, a list read from a
    photo, nothing but media nobody understood), or None: route the text as usual."""

    turn_input: TurnInput
    decision: RoutingDecision | None

    @property
    def unread(self) -> list[Unread]:
        return self.turn_input.unread

    def answer(self, decision: RoutingDecision) -> AgentResult | None:
        """The whole answer when the media decide it: after "Escribirlo", or the plain answer. Else None."""
        if decision.details.get("media") == "write_it":
            return AgentResult([Reply(texts.go_ahead(decision.language))], {"slots": {"pending_question": None}})
        if not self.unread or self.turn_input.read_lines or not _says_nothing(self.turn_input, decision):
            return None
        return plain_answer(self.unread, decision.language)

    def noted(self, result: AgentResult, decision: RoutingDecision) -> AgentResult:
        """The agents' answer, after a note on each kind of medium we could not understand (none for a photo the
        model read and found no list in: beside a request, that photo was not meant as one)."""
        about = dict.fromkeys(texts.what(u) for u in self.unread if u.why != NO_LIST)
        notes = [Reply(texts.note(what, decision.language)) for what in about]
        return replace(result, replies=notes + list(result.replies)) if notes else result


def media_turn(turn_input: TurnInput, session: SessionState) -> MediaTurn:
    language = session.language if session.language in ("es", "en") else "es"
    decision = _tapped(turn_input.text, session, language)
    if decision is None and turn_input.read_lines:
        decision = order_from_lines(turn_input.read_lines, language)
    if decision is None and turn_input.unread and not turn_input.text.strip():
        decision = RoutingDecision("info", "other", 1.0, source="none", language=language,
                                   details={"media": "nothing_to_route"})
    return MediaTurn(turn_input, decision)


def plain_answer(unread: list[Unread], language: str) -> AgentResult:
    problems = dict.fromkeys(texts.problem(u, language) for u in unread)
    said = f"{' '.join(problems)} {texts.offer(language)}"
    options = texts.options(language)
    pending = {"kind": QUESTION_KIND, "text": said, "options": options}
    return AgentResult([Reply(said, options)], {"slots": {"pending_question": pending}})


def _says_nothing(turn_input: TurnInput, decision: RoutingDecision) -> bool:
    """Nothing to act on: no words at all, or words the info lane would only greet, thank or offer its menu for
    (a confident FAQ question is answered)."""
    if not turn_input.text.strip():
        return True
    confident_faq = decision.intent == "faq" and decision.confidence >= settings.ROUTER_CLARIFY_BELOW
    return decision.lane == "info" and not confident_faq


def _tapped(text: str, session: SessionState, language: str) -> RoutingDecision | None:
    """A tap on the plain answer's buttons: "Escribirlo" is answered here, "Hablar con alguien" by the support
    lane, whatever the router would have made of the bare title."""
    pending = session.document["slots"].get("pending_question") or {}
    if pending.get("kind") != QUESTION_KIND:
        return None
    chosen = match_option(text, pending.get("options") or [])
    details = {"answers_pending_question": True}
    if chosen == texts.WRITE_IT:
        return RoutingDecision("info", "other", 1.0, source="rules", language=language,
                               details={**details, "media": "write_it"})
    if chosen == texts.PERSON:
        return RoutingDecision("support", "human_handoff", 1.0, source="rules", language=language, details=details)
    return None


# --- a purchase list read from a photo or PDF ----------------------------------------------------------------
def order_from_lines(lines: list[OrderLine], language: str) -> RoutingDecision:
    catalog = Catalog.from_db()
    items = [item for line in lines for item in line_items(line, catalog)]
    return RoutingDecision("purchase", "order_create", 1.0, items, source="llm", language=language,
                           details={"media": "read_lines", "read_lines": len(lines)})


def line_items(line: OrderLine, catalog: Catalog) -> list[ExtractedItem]:
    """A read line, matched as if typed ("20 kg almendra entera": units converted, close calls marked). The
    model's catalog code, when it gave one, settles what our matcher could not; when the two disagree, the
    contact is asked."""
    typed = items_for(line_text(line), "order_create", catalog)
    entry = catalog.get(line.product_code)
    if entry is None or len(typed) > 1:
        return typed or [ExtractedItem(None, line.quantity, line.unit, line.product_text)]
    item = typed[0] if typed else None
    if item is not None and item.product_code == entry.code:
        return [item]
    if item is not None and item.product_code and not item.ambiguous:
        other = catalog.get(item.product_code)
        return [ExtractedItem(None, line.quantity, line.unit, line.product_text, item.score, ambiguous=True,
                              candidates=[Candidate(entry.code, entry.name, 1.0),
                                          Candidate(other.code, other.name, item.score)])]
    return [_as_coded(line, entry, catalog)]


def _as_coded(line: OrderLine, entry, catalog: Catalog) -> ExtractedItem:
    """The model's product, its quantity converted from the unit written as a typed line would be."""
    said = OrderLine(entry.name, entry.code, line.quantity, line.unit)
    typed = items_for(line_text(said), "order_create", catalog)
    if len(typed) == 1 and typed[0].product_code == entry.code:
        return replace(typed[0], text=line.product_text)
    return ExtractedItem(entry.code, line.quantity, entry.uom, line.product_text, 1.0)
