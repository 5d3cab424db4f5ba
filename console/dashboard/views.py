"""The dashboard page: one period at a time (24 h · 7 d · 30 d), the four numbers staff act on first, then the
trends; the integration's health only for superusers. Staff only via `admin.site.admin_view` (`urls.py`)."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from console.dashboard import charts, labels
from console.dashboard.stats import PERIODS, Dashboard, PeriodStats, dashboard_stats
from conversations.handoff import reason_label
from core.formats import EMPTY, day, duration

PERIOD_LABELS = {"24h": gettext_lazy("24 hours"), "7d": gettext_lazy("7 days"), "30d": gettext_lazy("30 days")}


def dashboard(request):
    data = dashboard_stats(period=request.GET.get("period", ""))
    s = data.stats
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard"), "is_nav_sidebar_enabled": False, "now": data.now, "since": data.since,
        "period": data.period,
        "periods": [(key, PERIOD_LABELS[key], key == data.period) for key in PERIODS],
        "cards": _cards(s, request.user), "figures": _figures(s),
        "health": _health(s) if request.user.is_superuser else None,
        "odoo_chart": charts.bar_chart(list(s.odoo_errors_by_method.items()), title=_("Odoo errors by method")),
        "over_time": _over_time(data),
        "handoff_chart": charts.bar_chart([(reason_label(reason), n) for reason, n in s.handoffs_by_reason.items()],
                                          title=_("Why conversations went to a person")),
        "orders_chart": charts.bar_chart([(_("quoted"), s.orders_quoted), (_("sent for approval"),
                                           s.orders_to_approve), (_("confirmed"), s.orders_confirmed)],
                                         title=_("Orders: quoted → confirmed"), keep_order=True),
        "source_chart": charts.share_bar([(labels.source(key), s.turns_by_source.get(key, 0))
                                          for key in ("rules", "llm", "none")], title=_("Rules vs LLM")),
        "lane_chart": charts.bar_chart([(labels.lane(lane), n) for lane, n in s.turns_by_lane.items()],
                                       title=_("Turns by lane")),
        "intent_chart": charts.bar_chart([(f"{labels.lane(lane)} / {labels.intent(intent)}", n)
                                          for (lane, intent), n in s.turns_by_intent.items()],
                                         title=_("Turns by intent")),
    }
    return TemplateResponse(request, "admin/dashboard/index.html", context)


def _cards(s: PeriodStats, user) -> list[dict]:
    """The first row: what staff act on. `url` only where the user may open the list behind the number."""
    conversations = reverse("admin:conversations_conversation_changelist") + "?inbox=waiting"
    orders = reverse("admin:orders_purchaseorder_changelist") + "?state__exact=to_approve"
    failed = reverse("admin:conversations_message_changelist") + "?status__exact=failed"
    return [
        {"slug": "waiting-now", "label": _("Conversations waiting for a person"), "value": s.waiting_now,
         "note": _("right now"), "alert": s.waiting_now > 0,
         "url": conversations if user.has_perm("conversations.view_conversation") else ""},
        {"slug": "first-human-reply", "label": _("Median time to the first human reply"),
         "value": duration(s.median_first_human_reply),
         "note": _("%(answered)d answered, %(waiting)d not yet") % {
             "answered": len(s.first_human_reply_seconds), "waiting": s.handoffs_unanswered}, "alert": False,
         "url": ""},
        {"slug": "orders-awaiting-approval", "label": _("Orders waiting for approval"),
         "value": s.orders_awaiting_approval, "note": _("right now"), "alert": s.orders_awaiting_approval > 0,
         "url": orders if user.has_perm("orders.view_purchaseorder") else ""},
        {"slug": "send-failures", "label": _("Messages that failed to send"), "value": s.send_failures,
         "note": _("in the period"), "alert": s.send_failures > 0,
         "url": failed if user.has_perm("conversations.view_message") else ""},
    ]


def _figures(s: PeriodStats) -> list[tuple[str, str, str]]:
    """(slug, label, value) rows of the trends table; the slug is the row's id for tests and deep links."""
    return [
        ("turns", _("Turns answered by the bot"), str(s.turns)),
        ("handoff-rate", _("Handoff rate (conversations)"),
         _("%(rate)s (%(handed)d of %(answered)d)") % {"rate": percent(s.handoff_rate),
                                                       "handed": s.conversations_handed_off,
                                                       "answered": s.conversations_answered}),
        ("orders-quoted", _("Orders quoted"), str(s.orders_quoted)),
        ("orders-to-approve", _("Orders sent for approval"), str(s.orders_to_approve)),
        ("orders-confirmed", _("Orders confirmed"), str(s.orders_confirmed)),
        ("quote-conversion", _("Quoted → confirmed"), percent(s.quote_conversion)),
        ("orders-approved", _("Orders approved"), str(s.orders_approved)),
        ("orders-rejected", _("Orders rejected"), str(s.orders_rejected)),
        ("approval-latency", _("Approval wait (median / longest)"),
         f"{duration(s.median_approval)} / {duration(s.max_approval)}"),
        ("rules-share", _("Answered by rules"), percent(s.rules_share)),
        ("llm-share", _("Answered with the LLM"), percent(s.llm_share)),
    ]


def _health(s: PeriodStats) -> list[tuple[str, str, str]]:
    return [
        ("deliveries-failed", _("Webhook deliveries failed / still pending"),
         f"{s.deliveries_by_outcome.get('failed', 0)} / {s.deliveries_by_outcome.get('pending', 0)}"),
        ("duplicates", _("Duplicate deliveries absorbed"), str(s.duplicates_absorbed)),
        ("odoo-errors", _("Odoo errors"), str(s.odoo_errors)),
    ]


def _over_time(data: Dashboard):
    if data.hourly:
        points = [(_("%(hour)s h") % {"hour": moment.strftime("%H")}, n) for moment, n in data.turns_over_time]
        return _("Turns per hour"), charts.column_chart(points, title=_("Turns per hour"))
    points = [(day(when), n) for when, n in data.turns_over_time]
    return _("Turns per day"), charts.column_chart(points, title=_("Turns per day"))


def percent(value: float | None) -> str:
    # number_format truncates; round first so 2/3 reads 66,7%.
    return EMPTY if value is None else f"{number_format(round(value * 100, 1), decimal_pos=1)}%"
