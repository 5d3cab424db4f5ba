"""The dashboard's numbers: a handful of GROUP BY queries over indexed timestamp columns, both windows at once.

Each query filters on the longest window (an index range scan on `created_at`/`received_at`) and counts every
window in the same pass with a filtered aggregate (`COUNT(*) FILTER (WHERE created_at >= …)` on PostgreSQL), so
the page costs the same number of queries whatever the number of windows.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from agents.models import Turn
from conversations.handoff.door import NEEDS_HUMAN_ACTORS
from conversations.models import (
    Direction, DuplicateDelivery, HandoffCase, Message, MessageStatus, SenderKind, WebhookDelivery,
)
from integrations.models import ExternalCall
from orders.models import OrderState, PurchaseOrder, PurchaseOrderEvent

WINDOWS: dict[str, timedelta] = {"24h": timedelta(hours=24), "30d": timedelta(days=30)}


@dataclass
class WindowStats:
    """Everything shown for one window. Counts are ints; durations are seconds (None when nothing to measure)."""

    turns: int = 0
    turns_by_lane: dict[str, int] = field(default_factory=dict)
    turns_by_intent: dict[tuple[str, str], int] = field(default_factory=dict)
    turns_by_source: dict[str, int] = field(default_factory=dict)
    conversations_answered: int = 0
    conversations_handed_off: int = 0
    handoffs_by_reason: dict[str, int] = field(default_factory=dict)
    first_human_reply_seconds: list[float] = field(default_factory=list)
    handoffs_unanswered: int = 0
    orders_quoted: int = 0
    orders_confirmed: int = 0
    orders_to_approve: int = 0
    orders_approved: int = 0
    orders_rejected: int = 0
    approval_seconds: list[float] = field(default_factory=list)
    turns_by_day: dict = field(default_factory=dict)
    send_failures: int = 0
    deliveries_by_outcome: dict[str, int] = field(default_factory=dict)
    duplicates_absorbed: int = 0
    odoo_errors_by_method: dict[str, int] = field(default_factory=dict)

    @property
    def rules_share(self) -> float | None:
        return _share(self.turns_by_source.get("rules", 0), self.turns)

    @property
    def llm_share(self) -> float | None:
        return _share(self.turns_by_source.get("llm", 0), self.turns)

    @property
    def handoff_rate(self) -> float | None:
        return _share(self.conversations_handed_off, self.conversations_answered)

    @property
    def median_first_human_reply(self) -> float | None:
        return statistics.median(self.first_human_reply_seconds) if self.first_human_reply_seconds else None

    @property
    def median_approval(self) -> float | None:
        return statistics.median(self.approval_seconds) if self.approval_seconds else None

    @property
    def max_approval(self) -> float | None:
        return max(self.approval_seconds) if self.approval_seconds else None

    @property
    def odoo_errors(self) -> int:
        return sum(self.odoo_errors_by_method.values())



def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Dashboard:
    now: datetime
    windows: dict[str, WindowStats]
    turns_per_day: list[tuple[date, int]]


def dashboard_stats(*, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    since = {key: now - span for key, span in WINDOWS.items()}
    stats = {key: WindowStats() for key in WINDOWS}
    for collect in COLLECTORS:
        collect(stats, since)
    return Dashboard(now=now, windows=stats, turns_per_day=_days(now, stats["30d"].turns_by_day))


def _window_counts(since: dict[str, datetime], time_field: str, *, distinct: str = "") -> dict:
    """`n_<window>` aggregates counting rows (or distinct `distinct` values) newer than each window's start."""
    target = distinct or "pk"
    return {f"n_{key}": Count(target, distinct=bool(distinct), filter=Q(**{f"{time_field}__gte": start}))
            for key, start in since.items()}


def _oldest(since: dict[str, datetime]) -> datetime:
    return min(since.values())


def _spread(rows, stats: dict[str, WindowStats], attribute: str, key_of) -> None:
    """Distribute grouped rows with `n_<window>` columns into each window's dict `attribute`."""
    for row in rows:
        for window, window_stats in stats.items():
            if row[f"n_{window}"]:
                getattr(window_stats, attribute)[key_of(row)] = row[f"n_{window}"]


def _collect_turns(stats, since) -> None:
    """One pass over the turns of the longest window, grouped by lane, intent, source and local day (the day feeds
    the per-day chart, so the turns table is scanned once for both)."""
    rows = list(Turn.objects.filter(created_at__gte=_oldest(since)).order_by()
                .annotate(day=TruncDate("created_at")).values("lane", "intent", "source", "day")
                .annotate(**_window_counts(since, "created_at")))
    for row in rows:
        for window, window_stats in stats.items():
            if row[f"n_{window}"]:
                _add_turns(window_stats, row, row[f"n_{window}"])
    answered = Turn.objects.filter(created_at__gte=_oldest(since)).aggregate(
        **_window_counts(since, "created_at", distinct="conversation_id"))
    for window, window_stats in stats.items():
        window_stats.conversations_answered = answered[f"n_{window}"]


def _add_turns(stats: WindowStats, row: dict, count: int) -> None:
    lane, intent = row["lane"] or "(none)", row["intent"] or "(none)"
    stats.turns += count
    stats.turns_by_lane[lane] = stats.turns_by_lane.get(lane, 0) + count
    stats.turns_by_intent[(lane, intent)] = stats.turns_by_intent.get((lane, intent), 0) + count
    stats.turns_by_source[row["source"]] = stats.turns_by_source.get(row["source"], 0) + count
    stats.turns_by_day[row["day"]] = stats.turns_by_day.get(row["day"], 0) + count


def _collect_handoffs(stats, since) -> None:
    """One row per handoff case of the longest window (a few per hundred conversations), each with the time of
    the first public message a person then wrote in that conversation (from Chatwoot or our admin): a correlated
    subquery served by the (conversation, created_at) index on messages. Reasons, distinct conversations and the
    reply times are tallied from those rows."""
    first_reply = (Message.objects.filter(
        conversation_id=OuterRef("conversation_id"), direction=Direction.OUTBOUND, sender_kind=SenderKind.USER,
        private=False, created_at__gte=OuterRef("created_at")).order_by("created_at").values("created_at")[:1])
    # Handoffs the bot or the system decided; staff taking a conversation themselves is not the bot's handoff.
    cases = (HandoffCase.objects.filter(created_at__gte=_oldest(since), actor__in=NEEDS_HUMAN_ACTORS).order_by()
             .annotate(replied_at=Subquery(first_reply))
             .values("created_at", "replied_at", "reason", "conversation_id"))
    handed: dict[str, set[int]] = {window: set() for window in stats}
    for case in cases:
        for window, window_stats in stats.items():
            if case["created_at"] >= since[window]:
                _add_handoff(window_stats, case)
                handed[window].add(case["conversation_id"])
    for window, window_stats in stats.items():
        window_stats.conversations_handed_off = len(handed[window])


def _add_handoff(stats: WindowStats, case: dict) -> None:
    stats.handoffs_by_reason[case["reason"]] = stats.handoffs_by_reason.get(case["reason"], 0) + 1
    if case["replied_at"] is None:
        stats.handoffs_unanswered += 1
    else:
        stats.first_human_reply_seconds.append((case["replied_at"] - case["created_at"]).total_seconds())


# Transitions that count as "quoted", "confirmed", "sent for approval" (distinct orders per window).
ORDER_MILESTONES = {OrderState.SENT: "orders_quoted", OrderState.CONFIRMED: "orders_confirmed",
                    OrderState.TO_APPROVE: "orders_to_approve"}


def _collect_orders(stats, since) -> None:
    rows = (PurchaseOrderEvent.objects.filter(created_at__gte=_oldest(since), kind="transition",
                                              after__in=list(ORDER_MILESTONES)).order_by()
            .values("after").annotate(**_window_counts(since, "created_at", distinct="order_id")))
    for row in rows:
        for window, window_stats in stats.items():
            setattr(window_stats, ORDER_MILESTONES[row["after"]], row[f"n_{window}"])
    _collect_decisions(stats, since)


def _collect_decisions(stats, since) -> None:
    """Staff approvals and rejections, by when they were decided; latency from the order's last move into
    `to_approve` before the decision (the wait a contact actually had)."""
    entered = (PurchaseOrderEvent.objects.filter(order_id=OuterRef("pk"), kind="transition",
                                                 after=OrderState.TO_APPROVE, created_at__lte=OuterRef("decided_at"))
               .order_by("-created_at").values("created_at")[:1])
    decided = (PurchaseOrder.objects.filter(decided_at__gte=_oldest(since)).order_by()
               .annotate(entered_at=Subquery(entered)).values("decided_at", "entered_at", "approved_by_id",
                                                              "rejected_by_id"))
    for order in decided:
        for window, window_stats in stats.items():
            if order["decided_at"] < since[window]:
                continue
            if order["approved_by_id"] is not None:
                window_stats.orders_approved += 1
            elif order["rejected_by_id"] is not None:
                window_stats.orders_rejected += 1
            if order["entered_at"] is not None:
                window_stats.approval_seconds.append((order["decided_at"] - order["entered_at"]).total_seconds())


def _collect_send_failures(stats, since) -> None:
    """Outbound messages that ended `failed`: few rows, found through the status index."""
    counts = (Message.objects.filter(status=MessageStatus.FAILED, direction=Direction.OUTBOUND,
                                     created_at__gte=_oldest(since)).aggregate(**_window_counts(since, "created_at")))
    for window, window_stats in stats.items():
        window_stats.send_failures = counts[f"n_{window}"]


# Deliveries that need attention; processed and ignored ones are the bulk and say nothing about health.
UNHEALTHY_DELIVERIES = ["failed", "pending"]


def _collect_deliveries(stats, since) -> None:
    """Served by the (outcome, received_at) index: only the failed and still-pending rows are read."""
    rows = (WebhookDelivery.objects.filter(outcome__in=UNHEALTHY_DELIVERIES, received_at__gte=_oldest(since))
            .order_by().values("outcome").annotate(**_window_counts(since, "received_at")))
    _spread(rows, stats, "deliveries_by_outcome", lambda row: row["outcome"])


def _collect_duplicates(stats, since) -> None:
    counts = (DuplicateDelivery.objects.filter(received_at__gte=_oldest(since))
              .aggregate(**_window_counts(since, "received_at")))
    for window, window_stats in stats.items():
        window_stats.duplicates_absorbed = counts[f"n_{window}"]


def _collect_odoo_errors(stats, since) -> None:
    rows = (ExternalCall.objects.filter(system=ExternalCall.System.ODOO, created_at__gte=_oldest(since),
                                        outcome=ExternalCall.Outcome.ERROR).order_by()
            .values("method").annotate(**_window_counts(since, "created_at")))
    _spread(rows, stats, "odoo_errors_by_method", lambda row: row["method"])


def _days(now: datetime, counts: dict) -> list[tuple[date, int]]:
    """The last 30 local days, oldest first, with a zero for days without turns."""
    today = timezone.localdate(now)
    return [(day, counts.get(day, 0)) for day in (today - timedelta(days=n) for n in range(29, -1, -1))]


COLLECTORS = [_collect_turns, _collect_handoffs, _collect_orders, _collect_send_failures, _collect_deliveries,
              _collect_duplicates, _collect_odoo_errors]

__all__ = ["Dashboard", "WindowStats", "WINDOWS", "dashboard_stats"]
