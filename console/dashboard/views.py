"""The dashboard page: read the stats (one selector), shape them for the template, render. Staff only via
`admin.site.admin_view` in `core/dashboard/urls.py`."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse

from console.dashboard import charts
from console.dashboard.stats import WindowStats, dashboard_stats

WINDOW_TITLES = {"24h": "Last 24 hours", "30d": "Last 30 days"}


def dashboard(request):
    data = dashboard_stats()
    context = {
        **admin.site.each_context(request),
        "title": "Bot dashboard",
        "is_nav_sidebar_enabled": False,  # the two windows need the width to sit side by side
        "now": data.now,
        "windows": [_window_context(key, stats) for key, stats in data.windows.items()],
        "turns_per_day": charts.column_chart([(day.strftime("%d-%m"), n) for day, n in data.turns_per_day],
                                             title="Turns per day, last 30 days"),
    }
    return TemplateResponse(request, "admin/dashboard/index.html", context)


def _window_context(key: str, stats: WindowStats) -> dict:
    return {
        "key": key,
        "title": WINDOW_TITLES.get(key, key),
        "stats": stats,
        "figures": _figures(stats),
        "lane_chart": charts.bar_chart(list(stats.turns_by_lane.items()), title="Turns by lane"),
        "intent_chart": charts.bar_chart([(f"{lane} / {intent}", n) for (lane, intent), n
                                          in stats.turns_by_intent.items()], title="Turns by intent"),
        "source_chart": charts.share_bar([("rules", stats.turns_by_source.get("rules", 0)),
                                          ("LLM", stats.turns_by_source.get("llm", 0)),
                                          ("none (failed)", stats.turns_by_source.get("none", 0))],
                                         title="Rules vs LLM"),
        "handoff_chart": charts.bar_chart(list(stats.handoffs_by_reason.items()), title="Handoff reasons"),
        "odoo_chart": charts.bar_chart(list(stats.odoo_errors_by_method.items()), title="Odoo errors by method"),
    }


def _figures(s: WindowStats) -> list[tuple[str, str, str]]:
    """(slug, label, value) rows of the figures table; the slug is the row's id for tests and deep links."""
    return [
        ("turns", "Turns answered", str(s.turns)),
        ("rules-share", "Rules share", _percent(s.rules_share)),
        ("llm-share", "LLM share", _percent(s.llm_share)),
        ("handoff-rate", "Handoff rate (conversations)",
         f"{_percent(s.handoff_rate)} ({s.conversations_handed_off} of {s.conversations_answered})"),
        ("first-human-reply", "Median time to first human reply",
         f"{_duration(s.median_first_human_reply)} ({len(s.first_human_reply_seconds)} answered, "
         f"{s.handoffs_unanswered} waiting)"),
        ("orders-quoted", "Orders quoted", str(s.orders_quoted)),
        ("orders-confirmed", "Orders confirmed", str(s.orders_confirmed)),
        ("orders-to-approve", "Orders sent for approval", str(s.orders_to_approve)),
        ("orders-approved", "Orders approved", str(s.orders_approved)),
        ("orders-rejected", "Orders rejected", str(s.orders_rejected)),
        ("approval-latency", "Approval latency (median / max)",
         f"{_duration(s.median_approval)} / {_duration(s.max_approval)}"),
        ("send-failures", "Send failures", str(s.send_failures)),
        ("deliveries-failed", "Webhook deliveries failed / still pending",
         f"{s.deliveries_by_outcome.get('failed', 0)} / {s.deliveries_by_outcome.get('pending', 0)}"),
        ("duplicates", "Duplicate deliveries absorbed", str(s.duplicates_absorbed)),
        ("odoo-errors", "Odoo errors", str(s.odoo_errors)),
    ]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600:02d} h"
