"""The words the dashboard shows for the bot's own identifiers (lanes, intents, routing sources), so staff read
"compras / crear pedido" rather than "purchase / order_create". An identifier not listed shows as it is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LANES = {"info": _("information"), "purchase": _("purchases"), "support": _("support"), "": _("none")}
INTENTS = {
    "greeting": _("greeting"), "faq": _("question (FAQ)"), "thanks": _("thanks"), "other": _("other"),
    "catalog_query": _("catalog question"), "order_create": _("new order"), "order_modify": _("order change"),
    "order_confirm": _("order confirmation"), "order_cancel": _("order cancellation"),
    "order_status": _("order status"), "complaint": _("complaint"), "human_handoff": _("asks for a person"),
    "": _("none"),
}
SOURCES = {"rules": _("rules"), "llm": _("LLM"), "none": _("none (failed)")}


def lane(value: str) -> str:
    return str(LANES.get(value, value))


def intent(value: str) -> str:
    return str(INTENTS.get(value, value))


def source(value: str) -> str:
    return str(SOURCES.get(value, value))
