"""The rule layer of the offline router: weighted cue patterns (`intents.py`) plus context signals, as scores.

The offline router (`rules.route_by_rules`) combines these scores with the trained intent model; the rules keep the
high-precision cues (a short "sí" to a waiting quote, a product dropped by name, a link in the message).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agents.routing.catalog import Catalog
from agents.routing.clauses import is_question, request_lines
from agents.routing.intents import (
    ACTIVE_ORDER,
    AFFIRMATIVE,
    CONTINUATION,
    LOSS_OF_INTEREST,
    LEADING_YES,
    NEGATIVE,
    NEGATIVE_CORE,
    POLITE,
    IntentScores,
    only_words_from,
    score_patterns,
)
from agents.routing.items import extract_items
from agents.routing.normalize import normalize
from agents.routing.vocabulary import REMOVE_WORDS

CANCELLABLE = ("draft", "sent", "to_approve", "confirmed")
# On equal scores the intent that costs more to miss wins (an unanswered complaint is worse than a missed FAQ).
TIE_PRIORITY = (
    "human_handoff", "complaint", "order_cancel", "order_modify", "order_confirm", "order_status", "order_create",
    "catalog_query", "faq", "thanks", "greeting", "other",
)


@dataclass
class Context:
    text: str  # as written
    tokens: list[str]
    order_state: str | None
    catalog: Catalog
    items_seen: list  # order lines read before the intent is known (create semantics)


def _reply_words(tokens: list[str]) -> list[str]:
    return [tok for tok in tokens if tok.isalnum() and tok not in POLITE] or tokens[:1]


def bare_agreement(normalized: str) -> bool:
    """"sí", "ok, dale", "👍": agreement and nothing else, which confirms only a waiting quote."""
    return only_words_from(_reply_words(normalized.split()), AFFIRMATIVE)


def _short_replies(ctx: Context, scores: IntentScores) -> None:
    """"sí", "dale", "ok" confirm only a waiting quote (CONTRACT section 4); "no" then declines it."""
    words = _reply_words(ctx.tokens)
    if only_words_from(words, AFFIRMATIVE):
        scores.add("order_confirm" if ctx.order_state == "sent" else "other", 3.0, "short-affirmative")
    elif only_words_from(words, NEGATIVE) and any(tok in NEGATIVE_CORE for tok in words):
        scores.add("order_cancel" if ctx.order_state == "sent" else "other", 3.0, "short-negative")
    elif words and words[0] in LEADING_YES and ctx.order_state == "sent":
        scores.add("order_confirm", 1.8, "leading-affirmative")  # "sí, mándenlo"; a request after it outweighs


def _confirm_needs_quote(ctx: Context, scores: IntentScores) -> None:
    """Nothing to confirm without a quote or draft: "confirmo" then is not an order confirmation."""
    if ctx.order_state not in ("sent", "draft") and "order_confirm" in scores.scores:
        scores.scores.pop("order_confirm")
        scores.add("other", 0.5, "confirm-without-quote")


def _greeting_before_a_message(ctx: Context, scores: IntentScores) -> None:
    """"Hola, buenas. Hice un pedido el lunes y...": the greeting opens a message that says something else, so it
    is no cue for a greeting intent; a message that is only a greeting keeps it."""
    if "greeting" not in scores.scores:
        return
    said = " ".join(request_lines(ctx.text))
    if len([tok for tok in said.split() if tok.isalpha()]) >= 3 and said != " ".join(ctx.tokens):
        scores.scores.pop("greeting")
        scores.matched.append("greeting:opens-a-longer-message")


def _loss_of_interest(ctx: Context, scores: IntentScores) -> None:
    """"ya no lo quiero, gracias" cancels an order that is open; with none open it is a refusal (other). An
    explicit "cancela" keeps its weight in any state: the purchase agent then says nothing is open."""
    if ctx.order_state in CANCELLABLE or not LOSS_OF_INTEREST.search(" ".join(ctx.tokens)):
        return
    explicit = [cue for cue in scores.matched if cue.startswith("order_cancel:") and not LOSS_OF_INTEREST.search(cue)]
    if not explicit and "order_cancel" in scores.scores:
        scores.add("other", scores.scores.pop("order_cancel"), "nothing-to-cancel")


def _order_lines(ctx: Context, scores: IntentScores) -> None:
    named = [item for item in ctx.items_seen if item.product_code or item.ambiguous]
    quantified = [item for item in named if not item.quantity_missing]
    if quantified:
        # "¿tienen 50 kilos de avena?" asks about stock unless an order verb says otherwise
        asking = "catalog_query" in scores.scores and "order_create" not in scores.scores
        scores.add("order_create", 1.0 if asking else 2.0, "quantity+product")
        if "order_modify" in scores.scores:
            scores.add("order_modify", 0.5, "lines")
    elif named:
        scores.add("catalog_query", 0.5, "product-named")
    if not quantified and any(item.uom and not item.quantity_missing for item in ctx.items_seen):
        scores.add("order_create", 1.5, "quantity+unknown-product")  # "2 kilos de merkén": we may not sell it


def _dropping_a_product(ctx: Context, scores: IntentScores) -> None:
    """"ya no necesito la quinoa" removes a line; "ya no necesito el pedido" (no product) cancels the order."""
    named = any(item.product_code or item.ambiguous for item in ctx.items_seen)
    text = " ".join(ctx.tokens)
    if named and ("ya no " in f"{text} " or any(tok in REMOVE_WORDS for tok in ctx.tokens)):
        scores.add("order_modify", 4.0, "drop-named-product")


_APPROVAL = re.compile(r"(?<!no )\b(?:aprob(?:ado|ada|amos|e|o)|autoriz(?:ado|ada|amos|o)|aceptad[oa]|visto bueno|"
                       r"approved?)\b")


def _approval_of_a_quote(ctx: Context, scores: IntentScores) -> None:
    """With a quote waiting, "aprobado", "la aprobamos", "visto bueno" approve it: a confirmation. (With an order
    in review the same words ask or tell about our approval: the status cues read those.)"""
    text = " ".join(ctx.tokens)
    if ctx.order_state == "sent" and _APPROVAL.search(text) and "?" not in ctx.tokens:
        scores.add("order_confirm", 3.5, "approves-the-quote")


def _continuation(ctx: Context, scores: IntentScores) -> None:
    """"y un saco de harina", "+2 kg de nueces", "también 3 cajas" with an editable order add to it."""
    named = any(item.product_code or item.ambiguous for item in ctx.items_seen)
    if ctx.order_state in ("draft", "sent") and named and CONTINUATION.match(" ".join(ctx.tokens)):
        scores.add("order_modify", 2.5, "continues-the-order")


def _active_order(ctx: Context, scores: IntentScores) -> None:
    if ctx.order_state in ACTIVE_ORDER and "order_modify" in scores.scores:
        scores.add("order_modify", 1.5, f"state={ctx.order_state}")
    if ctx.order_state in ("to_approve", "confirmed", "sent") and "order_status" in scores.scores:
        scores.add("order_status", 0.5, f"state={ctx.order_state}")


# When it arrives, whether it is late, whether it left: a question about the delivery itself ("¿llega antes del
# sábado?", "¿por qué se demora tanto el despacho?"), not about the business's delivery policy ("¿hacen despacho a
# Maipú?", "¿cobran el envío?").
_ARRIVAL = re.compile(
    r"\b(?:lleg(?:a|an|ara|aran|aria|arian|ue|uen|o)|demor\w*|atras\w*|en camino|va (?:pa|para) (?:alla|aca)"
    r"|viene\w*|sale|salio|salga|despacharon|mandaron|enviaron)\b"
)
_POLICY = re.compile(
    r"\b(?:hacen|tienen|cobran|cuesta|cuanto (?:sale|cuesta|vale)|valor|costo|precio|zonas?|comunas?)\b"
)


def asks_about_its_arrival(normalized: str, order_state: str | None) -> bool:
    """With an order confirmed or awaiting approval, a question about the delivery asks about that order."""
    return (order_state in ("to_approve", "confirmed") and is_question(normalized)
            and bool(_ARRIVAL.search(normalized)) and not _POLICY.search(normalized))


def _arrival_question_on_the_way(ctx: Context, scores: IntentScores) -> None:
    if asks_about_its_arrival(normalize(ctx.text), ctx.order_state):
        scores.add("order_status", 2.0, "arrival-question")


# Context signals applied after the patterns, in this order.
SIGNALS: tuple[Callable[[Context, IntentScores], None], ...] = (
    _greeting_before_a_message,
    _short_replies,
    _confirm_needs_quote,
    _loss_of_interest,
    _order_lines,
    _dropping_a_product,
    _approval_of_a_quote,
    _continuation,
    _active_order,
    _arrival_question_on_the_way,
)


@dataclass
class RuleScores:
    ranked: list[tuple[str, float]]  # intents with a positive score, best first
    matched: list[str]  # "intent:cue" for every cue that fired
    normalized: str


def rule_scores(text: str, *, order_state: str | None, catalog: Catalog) -> RuleScores:
    """Weighted cue patterns plus context signals (order state, order lines read from the text)."""
    normalized = normalize(text)
    tokens = normalized.split()
    ctx = Context(text, tokens, order_state, catalog, extract_items(tokens, catalog, modify=False))
    scores = score_patterns(normalized)
    for signal in SIGNALS:
        signal(ctx, scores)
    ranked = sorted(
        ((i, s) for i, s in scores.scores.items() if s > 0), key=lambda pair: (-pair[1], TIE_PRIORITY.index(pair[0]))
    )
    return RuleScores(ranked, scores.matched, normalized)
