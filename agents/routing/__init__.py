"""Intent routing: `route()` returns a `RoutingDecision` (lane, intent, confidence, items, source).

With `OPENAI_API_KEY` set the LLM router answers, and ANY failure or invalid output falls back to the offline
router for that turn (`details["fallback"]` says why). Without a key only the offline router runs: a trained
intent model plus cue rules (`rules.py`), source "rules". Either way `details["readings"]` lists the top readings
({"lane", "intent", "p"}, best first) and `secondary` any second request in the message.

Preconditions: call outside a database transaction and without holding a lock (the LLM call is HTTP, and each call
writes an `ExternalCall` row that must survive a rollback of the caller's work).
"""

from __future__ import annotations

import logging

from django.conf import settings

from agents.routing.catalog import Catalog, CatalogEntry
from agents.routing.decision import Candidate, ExtractedItem, RoutingDecision
from agents.routing.rules import route_by_rules

logger = logging.getLogger(__name__)


def route(
    text: str,
    *,
    order_state: str | None = None,
    catalog: Catalog | None = None,
    history: list[dict] | None = None,
) -> RoutingDecision:
    """Route one turn. `catalog` defaults to the local catalog (`Catalog.from_db()`); `history` is the recent
    dialogue as [{"role": "user"|"assistant", "text": ...}], used by the LLM only."""
    catalog = catalog if catalog is not None else Catalog.from_db()
    if not settings.OPENAI_API_KEY:
        return route_by_rules(text, order_state=order_state, catalog=catalog)
    from agents.routing.llm import route_by_llm  # imports openai only when a key is configured

    try:
        return route_by_llm(text, order_state=order_state, catalog=catalog, history=history)
    except Exception as exc:  # noqa: BLE001 - by contract any LLM failure means "use the rules this turn"
        reason = f"{exc.__class__.__name__}: {exc}"[:500]
        logger.warning("llm routing failed, using rules", extra={"reason": reason})
        decision = route_by_rules(text, order_state=order_state, catalog=catalog)
        decision.details["fallback"] = reason
        return decision


__all__ = ["Candidate", "Catalog", "CatalogEntry", "ExtractedItem", "RoutingDecision", "route", "route_by_rules"]
