"""An order's audit rows as the sentences staff read on the order page: what happened, who did it, when.

One table from event kind to sentence (`EVENT_SENTENCES`); a kind that is not in it still reads as a sentence
(its name in words, and who). Kinds that only matter to the machinery (`SILENT_EVENTS`) are left out. Kinds no
longer written (the push and lifecycle services of before the Odoo command outbox) stay, for older orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from orders.models import CommandKind, OrderState, PurchaseOrderEvent

# Bookkeeping rows (the agent's turn markers, the mark written before an Odoo create): nothing a person did.
SILENT_EVENTS = ("chat_turn", "odoo_create_attempt")


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    text: str
    why: str = ""  # a person's words that go with it (a rejection's reason), or an error to look into


def order_history(events) -> list[HistoryLine]:
    return [_line(event) for event in events if event.kind not in SILENT_EVENTS]


def actor_name(actor: str) -> str:
    if actor.startswith("user:"):
        return actor.removeprefix("user:")
    return {"agent": _("the bot"), "system": _("the system"), "odoo": _("Odoo")}.get(actor, actor)


def _line(event: PurchaseOrderEvent) -> HistoryLine:
    sentence = EVENT_SENTENCES.get(event.kind, _unknown)
    text, why = sentence(event)
    return HistoryLine(at=event.created_at, who=actor_name(event.actor), text=text, why=why)


def _by_person(event: PurchaseOrderEvent) -> bool:
    return event.actor.startswith("user:")


def _transition(event: PurchaseOrderEvent) -> tuple[str, str]:
    detail = event.detail or {}
    if event.after == OrderState.CANCELLED:
        return (_("Rejected"), detail.get("reason", "")) if _by_person(event) else (_("Cancelled"), "")
    if event.after == OrderState.CONFIRMED:
        return (_("Approved and confirmed in Odoo") if _by_person(event) else _("Confirmed in Odoo")), ""
    texts = {
        OrderState.SENT: _("Quote sent to the contact"),
        OrderState.TO_APPROVE: _("Sent for approval"),
        OrderState.RECEIVED: _("Goods received (Odoo receipt done)"),
        OrderState.DRAFT: _("Back to draft: the lines changed"),
    }
    return texts.get(event.after, _("Now %(state)s") % {"state": event.after}), ""


def _created(event: PurchaseOrderEvent) -> tuple[str, str]:
    detail = event.detail or {}
    count = len(detail.get("after") or detail.get("lines") or [])  # "lines" in rows from before the command outbox
    return ngettext("Quotation created with %(n)d line", "Quotation created with %(n)d lines", count) % {
        "n": count}, ""


def _error(text):
    return lambda event: (str(text), str((event.detail or {}).get("error", "")))


def _odoo_state(text):
    # The state Odoo reported; mismatches found by the command runner name the state we wanted instead.
    return lambda event: (text % {"state": (event.detail or {}).get("odoo_state")
                                  or (event.detail or {}).get("wanted", "?")}, "")


def _command(event: PurchaseOrderEvent) -> str:
    """The Odoo command an event is about, in words ("Confirm in Odoo"), or "" when the row names none."""
    kind = (event.detail or {}).get("command", "")
    try:
        return str(CommandKind(kind).label)
    except ValueError:
        return kind


def _quote_ready(event: PurchaseOrderEvent) -> tuple[str, str]:
    detail = event.detail or {}
    if detail.get("dry_run"):
        return _("Quote ready (DRY_RUN: not written to Odoo)"), ""
    return _("Quote ready in Odoo as %(name)s") % {"name": detail.get("odoo_name", "")}, ""


def _odoo_delayed(event: PurchaseOrderEvent) -> tuple[str, str]:
    return (_("Odoo did not answer (%(command)s); trying again") % {"command": _command(event)},
            str((event.detail or {}).get("error", "")))


def _odoo_refused(event: PurchaseOrderEvent) -> tuple[str, str]:
    detail = event.detail or {}
    why = str(detail.get("error") or detail.get("odoo_state") or "")
    if detail.get("command"):
        return _("Odoo refused: %(command)s") % {"command": _command(event)}, why
    return _("Odoo refused the order"), why


def _unknown(event: PurchaseOrderEvent) -> tuple[str, str]:
    # A kind added later: its name in words, so the page still says something true.
    return event.kind.replace("_", " ").capitalize(), ""


EVENT_SENTENCES = {
    "transition": _transition,
    "created": _created,
    "lines_changed": lambda e: (_("Lines changed"), ""),
    "odoo_pushed": lambda e: (_("Created in Odoo as %(name)s") % {"name": (e.detail or {}).get("odoo_name", "")}, ""),
    "odoo_lines_written": lambda e: (_("Lines updated in Odoo"), ""),
    "odoo_partner_created": lambda e: (_("Contact created in Odoo"), ""),
    "dry_run_partner": lambda e: (_("DRY_RUN: the contact was not created in Odoo"), ""),
    "dry_run_push": lambda e: (_("DRY_RUN: nothing was written to Odoo"), ""),
    "odoo_unreachable": _error(gettext_lazy("Odoo could not be reached; it will be sent when Odoo is back")),
    "odoo_refused": _odoo_refused,
    "odoo_delayed": _odoo_delayed,
    "quote_ready": _quote_ready,
    "confirm_dry_run": lambda e: (_("DRY_RUN: the confirmation was not written to Odoo"), ""),
    "approve_failed": _error(gettext_lazy("Approval could not reach Odoo; nothing changed")),
    "reject_failed": _error(gettext_lazy("Rejection could not reach Odoo; nothing changed")),
    "cancel_failed": _error(gettext_lazy("Cancellation could not reach Odoo; nothing changed")),
    "approve_refused": _error(gettext_lazy("Odoo refused the approval")),
    "reject_refused": _error(gettext_lazy("Odoo refused the rejection")),
    "cancel_refused": _error(gettext_lazy("Odoo refused the cancellation")),
    "odoo_not_approved": _odoo_state(gettext_lazy(
        "Odoo did not approve it (it stays in %(state)s): the integration user needs the Purchase Administrator "
        "right")),
    "odoo_not_confirmed": _odoo_state(gettext_lazy("Odoo did not confirm it (it stays in %(state)s)")),
    "odoo_not_cancelled": _odoo_state(gettext_lazy("Odoo did not cancel it (it stays in %(state)s)")),
    "odoo_state_mismatch": _odoo_state(gettext_lazy("Odoo shows another state: %(state)s")),
    "odoo_order_missing": lambda e: (_("Not found in Odoo any more"), ""),
    "confirm_requested": lambda e: (_("The contact confirmed; waiting for Odoo"), ""),
    "quote_owed": lambda e: (_("The quote is owed to the contact (Odoo was down)"), ""),
    "quote_sent": lambda e: (_("Quote sent in the chat"), ""),
    "odoo_marked_sent": lambda e: (_("Marked as sent in Odoo"), ""),
    "stock_wait_chosen": lambda e: (_("The contact will wait for stock: %(products)s") % {
        "products": ", ".join((e.detail or {}).get("products") or [])}, ""),
}
