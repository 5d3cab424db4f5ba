"""FAQ matching (rapidfuzz against each FAQ's question variants) and answer rendering with live business facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from rapidfuzz import fuzz, process

from agents import hours
from agents.models import FAQ
from agents.routing.normalize import normalize
from core.memo import recent

# token_set_ratio scores 100 when a variant's words all appear in the message ("hola, a que hora abren po"), so
# the threshold can stay high without missing questions wrapped in greetings.
MATCH_THRESHOLD = 82.0


@dataclass(frozen=True)
class FAQMatch:
    faq: FAQ
    variant: str
    score: float


def faq_match(text: str, *, faqs: list[FAQ] | None = None, threshold: float = MATCH_THRESHOLD) -> FAQMatch | None:
    if faqs is None:
        faqs, choices = recent("agents:faqs", _active_faqs)
    else:
        choices = _choices(faqs)
    query = normalize(text)
    if not query or not choices:
        return None
    best = process.extractOne(query, choices, scorer=_score, score_cutoff=threshold)
    if best is None:
        return None
    _, score, (i, j) = best
    return FAQMatch(faqs[i], faqs[i].variants[j], float(score))


def _active_faqs() -> tuple[list[FAQ], dict[tuple[int, int], str]]:
    """The active FAQs with their variants normalised, read and prepared once per `recent` period."""
    faqs = list(FAQ.objects.filter(active=True))
    return faqs, _choices(faqs)


def _choices(faqs: list[FAQ]) -> dict[tuple[int, int], str]:
    return {(i, j): normalize(variant) for i, faq in enumerate(faqs) for j, variant in enumerate(faq.variants)}


def _score(query: str, variant: str, **_) -> float:
    # A one-word message must match the variant closely ("pago" vs "medios de pago"), not as a subset of it.
    if len(query.split()) == 1 and len(variant.split()) > 1:
        return fuzz.ratio(query, variant) * 0.9
    return fuzz.token_set_ratio(query, variant)


class _Facts(dict):
    def __missing__(self, key: str) -> str:  # an unknown placeholder typed in the admin shows as written
        return "{" + key + "}"


def render_answer(faq: FAQ, *, language: str = "es", now: datetime | None = None) -> str:
    template = faq.answer_en if language == "en" and faq.answer_en else faq.answer
    facts = _Facts(
        hours=hours.weekly_hours_text(language),
        open_now=hours.open_now_text(now, language),
        business_name=settings.BUSINESS_NAME,
    )
    try:
        return template.format_map(facts)
    except (ValueError, IndexError):  # a stray "{" typed in the admin: show the answer as written
        return template
