"""The dashboard's numbers for one period (24 h, 7 d or 30 d): a handful of GROUP BY queries over indexed timestamp
columns, plus two counts of what waits right now (conversations for a person, orders for approval).

Every number is an aggregate over the durable tables, never a process counter, so a restart or a second web
process changes nothing.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from agents.models import Turn
from conversations.handoff import staff_replies
from conversations.handoff.door import NEEDS_HUMAN_ACTORS
from conversations.models import (
    PERSON_ON_IT_REASONS, Conversation, ConversationMode, Direction, DuplicateDelivery, HandoffCase, Message,
    MessageStatus, SenderKind, WebhookDelivery,
)
from integrations.models import ExternalCall
from orders.models import OrderState, PurchaseOrder, PurchaseOrderEvent

PERIODS: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DEFAULT_PERIOD = "24h"


@dataclass
class PeriodStats:
    """Everything shown for one period. Counts are ints; durations are seconds (None when nothing to measure).
    `waiting_now` and `orders_awaiting_approval` are the present moment, whatever the period."""

    waiting_now: int = 0
    orders_awaiting_approval: int = 0
    turns: int = 0
    turns_by_lane: dict[str, int] = field(default_factory=dict)
    turns_by_intent: dict[tuple[str, str], int] = field(default_factory=dict)
    turns_by_source: dict[str, int] = field(default_factory=dict)
    turns_by_bucket: dict = field(default_factory=dict)  # local day, or local hour for 24 h
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
    def quote_conversion(self) -> float | None:
        return _share(self.orders_confirmed, self.orders_quoted)

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
    period: str
    since: datetime
    stats: PeriodStats
    turns_over_time: list[tuple[datetime | date, int]]  # oldest first, zeros included

    @property
    def hourly(self) -> bool:
        return self.period == "24h"


def dashboard_stats(*, period: str = DEFAULT_PERIOD, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    period = period if period in PERIODS else DEFAULT_PERIOD
    since = now - PERIODS[period]
    stats = PeriodStats()
    for collect in COLLECTORS:
        collect(stats, since, hourly=period == "24h")
    return Dashboard(now=now, period=period, since=since, stats=stats,
                     turns_over_time=_buckets(now, period, stats.turns_by_bucket))


def _collect_now(stats: PeriodStats, since, **_) -> None:
    """What waits right now: conversations nobody on staff has taken or answered since the handoff, and orders
    in `to_approve`. Both are index scans over a few rows (mode and state are indexed)."""
    stats.waiting_now = waiting_for_a_person().count()
    stats.orders_awaiting_approval = PurchaseOrder.objects.filter(state=OrderState.TO_APPROVE).count()


def waiting_for_a_person():
    """Conversations in human mode that nobody on staff has taken, nor answered since the handoff."""
    answered = staff_replies().filter(conversation=OuterRef("pk"), created_at__gte=OuterRef("handoff_at"))
    return (Conversation.objects.filter(mode=ConversationMode.HUMAN, is_active=True, taken_by__isnull=True)
            .exclude(handoff_reason__in=PERSON_ON_IT_REASONS).exclude(Exists(answered)))


def _collect_turns(stats: PeriodStats, since, *, hourly: bool) -> None:
    """One pass over the period's turns, grouped by lane, intent, source and local day (or hour), so the turns
    table is scanned once for the breakdowns and the chart."""
    bucket = TruncHour("created_at") if hourly else TruncDate("created_at")
    rows = (Turn.objects.filter(created_at__gte=since).order_by().annotate(bucket=bucket)
            .values("lane", "intent", "source", "bucket").annotate(n=Count("pk")))
    for row in rows:
        _add_turns(stats, row, row["n"])
    stats.conversations_answered = Turn.objects.filter(created_at__gte=since).aggregate(
        n=Count("conversation_id", distinct=True))["n"]


def _add_turns(stats: PeriodStats, row: dict, count: int) -> None:
    lane, intent = row["lane"] or "", row["intent"] or ""
    stats.turns += count
    stats.turns_by_lane[lane] = stats.turns_by_lane.get(lane, 0) + count
    stats.turns_by_intent[(lane, intent)] = stats.turns_by_intent.get((lane, intent), 0) + count
    stats.turns_by_source[row["source"]] = stats.turns_by_source.get(row["source"], 0) + count
    stats.turns_by_bucket[row["bucket"]] = stats.turns_by_bucket.get(row["bucket"], 0) + count


def _collect_handoffs(stats: PeriodStats, since, **_) -> None:
    """One row per handoff case of the period (a few per hundred conversations), each with the time of the first
    public message a person then wrote in that conversation (from Chatwoot or our admin): a correlated subquery
    served by the (conversation, created_at) index on messages."""
    first_reply = (Message.objects.filter(
        conversation_id=OuterRef("conversation_id"), direction=Direction.OUTBOUND, sender_kind=SenderKind.USER,
        private=False, created_at__gte=OuterRef("created_at")).order_by("created_at").values("created_at")[:1])
    # Handoffs the bot or the system decided; staff taking a conversation themselves is not the bot's handoff.
    cases = (HandoffCase.objects.filter(created_at__gte=since, actor__in=NEEDS_HUMAN_ACTORS).order_by()
             .annotate(replied_at=Subquery(first_reply))
             .values("created_at", "replied_at", "reason", "conversation_id"))
    handed: set[int] = set()
    for case in cases:
        stats.handoffs_by_reason[case["reason"]] = stats.handoffs_by_reason.get(case["reason"], 0) + 1
        handed.add(case["conversation_id"])
        if case["replied_at"] is None:
            stats.handoffs_unanswered += 1
        else:
            stats.first_human_reply_seconds.append((case["replied_at"] - case["created_at"]).total_seconds())
    stats.conversations_handed_off = len(handed)


# Transitions that count as "quoted", "confirmed", "sent for approval" (distinct orders in the period).
ORDER_MILESTONES = {OrderState.SENT: "orders_quoted", OrderState.CONFIRMED: "orders_confirmed",
                    OrderState.TO_APPROVE: "orders_to_approve"}


def _collect_orders(stats: PeriodStats, since, **_) -> None:
    rows = (PurchaseOrderEvent.objects.filter(created_at__gte=since, kind="transition",
                                              after__in=list(ORDER_MILESTONES)).order_by()
            .values("after").annotate(n=Count("order_id", distinct=True)))
    for row in rows:
        setattr(stats, ORDER_MILESTONES[row["after"]], row["n"])
    _collect_decisions(stats, since)


def _collect_decisions(stats: PeriodStats, since) -> None:
    """Staff approvals and rejections, by when they were decided; latency from the order's last move into
    `to_approve` before the decision (the wait a contact actually had)."""
    entered = (PurchaseOrderEvent.objects.filter(order_id=OuterRef("pk"), kind="transition",
                                                 after=OrderState.TO_APPROVE, created_at__lte=OuterRef("decided_at"))
               .order_by("-created_at").values("created_at")[:1])
    decided = (PurchaseOrder.objects.filter(decided_at__gte=since).order_by()
               .annotate(entered_at=Subquery(entered)).values("decided_at", "entered_at", "approved_by_id",
                                                              "rejected_by_id"))
    for order in decided:
        if order["approved_by_id"] is not None:
            stats.orders_approved += 1
        elif order["rejected_by_id"] is not None:
            stats.orders_rejected += 1
        if order["entered_at"] is not None:
            stats.approval_seconds.append((order["decided_at"] - order["entered_at"]).total_seconds())


def _collect_send_failures(stats: PeriodStats, since, **_) -> None:
    """Outbound messages that ended `failed`: few rows, found through the status index."""
    stats.send_failures = Message.objects.filter(status=MessageStatus.FAILED, direction=Direction.OUTBOUND,
                                                 created_at__gte=since).count()


# Deliveries that need attention; processed and ignored ones are the bulk and say nothing about health.
UNHEALTHY_DELIVERIES = ["failed", "pending"]


def _collect_health(stats: PeriodStats, since, **_) -> None:
    """Webhook deliveries failed or still pending (the (outcome, received_at) index reads only those), duplicates
    absorbed, and Odoo errors by method."""
    deliveries = (WebhookDelivery.objects.filter(outcome__in=UNHEALTHY_DELIVERIES, received_at__gte=since)
                  .order_by().values("outcome").annotate(n=Count("pk")))
    stats.deliveries_by_outcome = {row["outcome"]: row["n"] for row in deliveries}
    stats.duplicates_absorbed = DuplicateDelivery.objects.filter(received_at__gte=since).count()
    errors = (ExternalCall.objects.filter(system=ExternalCall.System.ODOO, created_at__gte=since,
                                          outcome=ExternalCall.Outcome.ERROR).order_by()
              .values("method").annotate(n=Count("pk")))
    stats.odoo_errors_by_method = {row["method"]: row["n"] for row in errors}


def _buckets(now: datetime, period: str, counts: dict) -> list[tuple[datetime | date, int]]:
    """Every local hour of the last 24 (24 h) or every local day of the period, oldest first, zeros included."""
    if period == "24h":
        # Stepped in UTC, then shown locally: Chile's offsets are whole hours, and UTC has no daylight-saving gaps.
        hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        hours = [timezone.localtime(hour - timedelta(hours=n)) for n in range(23, -1, -1)]
        local = {timezone.localtime(key).replace(minute=0, second=0, microsecond=0): n for key, n in counts.items()}
        return [(h, local.get(h, 0)) for h in hours]
    today = timezone.localdate(now)
    days = PERIODS[period].days
    return [(d, counts.get(d, 0)) for d in (today - timedelta(days=n) for n in range(days - 1, -1, -1))]


COLLECTORS = [_collect_now, _collect_turns, _collect_handoffs, _collect_orders, _collect_send_failures,
              _collect_health]

__all__ = ["DEFAULT_PERIOD", "Dashboard", "PERIODS", "PeriodStats", "dashboard_stats", "waiting_for_a_person"]
