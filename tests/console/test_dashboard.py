"""The dashboard's numbers against a seeded history with exact expectations for each period, in Spanish (the
default), and its access rules.

History (relative to now): "recent" rows are 1-2 hours old (inside both windows), "older" rows 3-5 days old (30 days
only), "ancient" rows 40 days old (neither). Every count below is worked out by hand from `history`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from agents.models import Turn
from conversations.models import HandoffCase
from conversations.models import (
    Contact, Conversation, DeliveryOutcome, Direction, DuplicateDelivery, Message, MessageOrigin, MessageStatus,
    SenderKind, WebhookDelivery,
)
from console.dashboard.stats import dashboard_stats
from integrations.models import ExternalCall
from orders.models import OrderState, PurchaseOrder, PurchaseOrderEvent
from tests.conversations.handoff_helpers import handed_over
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/admin/dashboard/"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def _at(model, pk, when, field="created_at"):
    model.objects.filter(pk=pk).update(**{field: when})


def _conversation(n: int) -> Conversation:
    contact = Contact.objects.create(account_id=1, chatwoot_id=7000 + n, name=f"Cliente {n}",
                                     phone_e164=f"+5699000{n:04d}")
    return Conversation.objects.create(account_id=1, chatwoot_id=7000 + n, channel="whatsapp", contact=contact)


def _message(conv, when, *, direction=Direction.INBOUND, status=MessageStatus.RECEIVED, **fields) -> Message:
    message = Message.objects.create(conversation=conv, direction=direction, status=status, **fields)
    _at(Message, message.pk, when)
    return message


def _turn(conv, when, lane, intent, source, handoff_reason=""):
    turn = Turn.objects.create(conversation=conv, message=_message(conv, when, sender_kind=SenderKind.CONTACT),
                               lane=lane, intent=intent, confidence=0.9, source=source, handoff_reason=handoff_reason)
    _at(Turn, turn.pk, when)
    return turn


def _handoff(conv, when, reason, *, human_reply_after: float | None = None):
    case = HandoffCase.objects.create(conversation=conv, reason=reason, actor="bot", summary="resumen")
    _at(HandoffCase, case.pk, when)
    if human_reply_after is not None:
        _message(conv, when + timedelta(seconds=human_reply_after), direction=Direction.OUTBOUND,
                 status=MessageStatus.SENT, sender_kind=SenderKind.USER, origin=MessageOrigin.CHATWOOT)
        # A private note or a bot message sooner than the human reply must not count as the first human reply.
        _message(conv, when + timedelta(seconds=1), direction=Direction.OUTBOUND, status=MessageStatus.SENT,
                 sender_kind=SenderKind.USER, private=True)


def _order(conv, key, state, moves, *, decided=None, approved_by=None, rejected_by=None):
    order = PurchaseOrder.objects.create(contact=conv.contact, conversation=conv, state=state,
                                         idempotency_key=key, origin=key)
    for before, after, when in moves:
        event = PurchaseOrderEvent.objects.create(order=order, actor="agent", kind="transition", before=before,
                                                  after=after)
        _at(PurchaseOrderEvent, event.pk, when)
    # A non-transition event about the same state must not count as a milestone.
    PurchaseOrderEvent.objects.create(order=order, actor="system", kind="odoo_pushed", before="sent", after="sent")
    PurchaseOrder.objects.filter(pk=order.pk).update(decided_at=decided, approved_by=approved_by,
                                                     rejected_by=rejected_by)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Password hashing is not under test; the default hasher costs a second per user on a loaded CI machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("jefa", password="pw", is_staff=True, is_superuser=True)


@pytest.fixture
def history(staff):
    now = timezone.now()
    recent, older, ancient = now - 2 * HOUR, now - 5 * DAY, now - 40 * DAY
    c1, c2, c3, c4 = (_conversation(n) for n in range(1, 5))
    _turn(c1, recent, "info", "greeting", "rules")
    _turn(c1, recent + 60 * timedelta(seconds=1), "purchase", "order_create", "llm")
    _turn(c2, recent, "support", "human_handoff", "rules", handoff_reason="human_request")
    _turn(c3, older, "info", "faq", "rules")
    _turn(c3, older, "purchase", "order_confirm", "rules")
    _turn(c4, older, "info", "faq", "llm")
    _turn(c4, ancient, "info", "greeting", "rules")

    _handoff(c2, recent, "human_request", human_reply_after=300)
    _handoff(c3, older, "complaint", human_reply_after=900)
    _handoff(c4, now - 3 * DAY, "failure")
    _handoff(c4, ancient, "failure", human_reply_after=60)

    _order(c1, "o1", OrderState.CONFIRMED, [("draft", "sent", recent), ("sent", "to_approve", now - HOUR),
                                            ("to_approve", "confirmed", now - HOUR / 2)],
           decided=now - HOUR / 2, approved_by=staff)
    _order(c3, "o2", OrderState.CONFIRMED, [("draft", "sent", older), ("sent", "confirmed", older)])
    _order(c4, "o3", OrderState.CANCELLED, [("draft", "sent", now - 3 * DAY), ("sent", "to_approve", now - 3 * DAY),
                                            ("to_approve", "cancelled", now - 3 * DAY + 2 * HOUR)],
           decided=now - 3 * DAY + 2 * HOUR, rejected_by=staff)
    _order(c2, "o4", OrderState.CANCELLED, [("draft", "sent", ancient), ("sent", "to_approve", ancient)],
           decided=ancient + HOUR, rejected_by=staff)

    _message(c1, recent, direction=Direction.OUTBOUND, status=MessageStatus.FAILED, origin=MessageOrigin.BOT)
    _message(c1, recent, direction=Direction.OUTBOUND, status=MessageStatus.SENT, origin=MessageOrigin.BOT)
    _message(c3, older, direction=Direction.OUTBOUND, status=MessageStatus.FAILED, origin=MessageOrigin.BOT)
    _message(c4, ancient, direction=Direction.OUTBOUND, status=MessageStatus.FAILED, origin=MessageOrigin.BOT)

    for outcome, when in [(DeliveryOutcome.PROCESSED, now - HOUR), (DeliveryOutcome.PROCESSED, now - HOUR),
                          (DeliveryOutcome.IGNORED, now - HOUR), (DeliveryOutcome.PENDING, now - HOUR),
                          (DeliveryOutcome.FAILED, now - 3 * DAY), (DeliveryOutcome.FAILED, ancient)]:
        delivery = WebhookDelivery.objects.create(event="message_created", body="{}", outcome=outcome)
        _at(WebhookDelivery, delivery.pk, when, field="received_at")

    for when in [now - HOUR, now - 3 * DAY, now - 3 * DAY, ancient]:
        duplicate = DuplicateDelivery.objects.create(event="message_created", delivery_id="d")
        _at(DuplicateDelivery, duplicate.pk, when, field="received_at")

    for system, method, outcome, when in [("odoo", "create", "error", now - HOUR), ("odoo", "write", "error",
                                           now - 3 * DAY), ("odoo", "create", "ok", now - HOUR),
                                          ("chatwoot", "send_message", "error", now - HOUR),
                                          ("odoo", "create", "error", ancient)]:
        call = ExternalCall.objects.create(system=system, method=method, outcome=outcome)
        _at(ExternalCall, call.pk, when)


def _figure(html: str, slug: str) -> str:
    match = re.search(rf'<tr id="fig-{re.escape(slug)}"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>', html)
    assert match, f"row {slug} not on the page"
    return unescape(match.group(1))


def _card(html: str, slug: str) -> str:
    match = re.search(rf'id="card-{re.escape(slug)}">\s*<span class="value">(?:<a [^>]*>)?([^<]*)', html)
    assert match, f"card {slug} not on the page"
    return unescape(match.group(1))


EXPECTED = {
    "24h": {
        "turns": "3", "handoff-rate": "50,0% (1 de 2)", "orders-quoted": "1", "orders-to-approve": "1",
        "orders-confirmed": "1", "quote-conversion": "100,0%", "orders-approved": "1", "orders-rejected": "0",
        "approval-latency": "30 min / 30 min", "rules-share": "66,7%", "llm-share": "33,3%",
        "deliveries-failed": "0 / 1", "duplicates": "1", "odoo-errors": "1",
    },
    "30d": {
        "turns": "6", "handoff-rate": "75,0% (3 de 4)", "orders-quoted": "3", "orders-to-approve": "2",
        "orders-confirmed": "2", "quote-conversion": "66,7%", "orders-approved": "1", "orders-rejected": "1",
        "approval-latency": "1 h 15 min / 2 h 00 min", "rules-share": "66,7%", "llm-share": "33,3%",
        "deliveries-failed": "1 / 1", "duplicates": "3", "odoo-errors": "2",
    },
}
CARDS = {
    "24h": {"waiting-now": "0", "first-human-reply": "5 min", "orders-awaiting-approval": "0", "send-failures": "1"},
    "30d": {"waiting-now": "0", "first-human-reply": "10 min", "orders-awaiting-approval": "0", "send-failures": "2"},
}


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize("period", ["24h", "30d"])
def test_figures_of_each_period_match_the_seeded_history(client, staff, period):
    client.force_login(staff)
    html = client.get(URL, {"period": period}).content.decode()
    assert {slug: _figure(html, slug) for slug in EXPECTED[period]} == EXPECTED[period]
    assert {slug: _card(html, slug) for slug in CARDS[period]} == CARDS[period]
    assert 'aria-current="page">' + {"24h": "24 horas", "30d": "30 días"}[period] in html


@pytest.mark.usefixtures("history")
def test_seven_days_hold_the_recent_and_older_history(client, staff):
    client.force_login(staff)
    html = client.get(URL, {"period": "7d"}).content.decode()
    assert {slug: _figure(html, slug) for slug in EXPECTED["30d"]} == EXPECTED["30d"]  # nothing between 7 and 30 d


def test_the_first_row_counts_what_waits_right_now(client, staff, chatwoot_standin):
    handed_over(chatwoot_standin, minutes_ago=200)  # waits, whatever the period
    taken = handed_over(chatwoot_standin, minutes_ago=5)
    Conversation.objects.filter(pk=taken.pk).update(taken_by=staff)
    conv = _conversation(8)
    PurchaseOrder.objects.create(contact=conv.contact, conversation=conv, state=OrderState.TO_APPROVE,
                                 idempotency_key="w", origin="w")
    client.force_login(staff)
    html = client.get(URL, {"period": "24h"}).content.decode()
    assert _card(html, "waiting-now") == "1" and _card(html, "orders-awaiting-approval") == "1"
    assert 'href="/admin/conversations/conversation/?inbox=waiting"' in html


def test_the_default_period_is_24_hours_and_junk_falls_back_to_it(client, staff):
    client.force_login(staff)
    assert client.get(URL).context["period"] == "24h"
    assert client.get(URL, {"period": "1y"}).context["period"] == "24h"


@pytest.mark.usefixtures("history")
def test_turn_breakdowns_per_lane_intent_source_and_handoff_reason():
    day, month = dashboard_stats(period="24h").stats, dashboard_stats(period="30d").stats
    assert day.turns_by_lane == {"info": 1, "purchase": 1, "support": 1}
    assert month.turns_by_lane == {"info": 3, "purchase": 2, "support": 1}
    assert month.turns_by_intent == {("info", "greeting"): 1, ("info", "faq"): 2, ("purchase", "order_create"): 1,
                                     ("purchase", "order_confirm"): 1, ("support", "human_handoff"): 1}
    assert month.turns_by_source == {"rules": 4, "llm": 2}
    assert day.handoffs_by_reason == {"human_request": 1}
    assert month.handoffs_by_reason == {"human_request": 1, "complaint": 1, "failure": 1}
    assert month.odoo_errors_by_method == {"create": 1, "write": 1}


@pytest.mark.usefixtures("history")
def test_charts_are_inline_svg_with_labels_in_spanish(client, staff):
    client.force_login(staff)
    html = client.get(URL, {"period": "30d"}).content.decode()
    assert html.count("<svg") >= 5
    for label in ("compras / pedido nuevo", "Pidió hablar con una persona", "Reclamo", "reglas 4 (67%)",
                  "LLM 2 (33%)", "cotizados", "confirmados"):
        assert label in html
    assert 'aria-label="Turnos por día"' in html
    assert "<script" not in html.split("</head>")[1].replace('<script src="/static/console/', "")  # no chart JS


@pytest.mark.usefixtures("history")
def test_day_labels_name_the_month_so_they_cannot_be_misread(client, staff):
    client.force_login(staff)
    html = client.get(URL, {"period": "30d"}).content.decode()
    start = html.index('aria-label="Turnos por día"')
    chart = html[start:html.index("</svg>", start)]
    today = timezone.localdate()
    assert f">{today.day} {MONTHS_ES[today.month]}</text>" in chart
    assert not re.search(r">\d{2}-\d{2}<", chart)
    hourly = client.get(URL, {"period": "24h"}).content.decode()
    assert 'aria-label="Turnos por hora"' in hourly and re.search(r">\d{2} h</text>", hourly)


MONTHS_ES = {1: "ene", 2: "feb", 3: "mar", 4: "abr", 5: "may", 6: "jun", 7: "jul", 8: "ago", 9: "sep", 10: "oct",
             11: "nov", 12: "dic"}


@pytest.mark.usefixtures("history")
def test_integration_health_is_for_superusers_only(client, staff, django_user_model):
    clerk = django_user_model.objects.create_user("agente", password="pw", is_staff=True)
    clerk.groups.add(Group.objects.get(name="Atención"))
    client.force_login(clerk)
    html = client.get(URL, {"period": "30d"}).content.decode()
    assert 'id="dash-health"' not in html and 'id="fig-odoo-errors"' not in html
    assert _figure(html, "turns") == "6"


def test_labels_from_the_database_are_escaped_in_the_charts(client, staff):
    conv = _conversation(9)
    HandoffCase.objects.create(conversation=conv, reason="<b>x</b>", actor="bot", summary="s")
    client.force_login(staff)
    html = client.get(URL).content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_empty_database_renders_dashes_not_errors(client, staff):
    client.force_login(staff)
    html = client.get(URL, {"period": "30d"}).content.decode()
    assert _figure(html, "turns") == "0"
    assert _figure(html, "handoff-rate") == "— (0 de 0)"
    assert _figure(html, "approval-latency") == "— / —"
    assert _card(html, "first-human-reply") == "—"


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize("period", ["24h", "7d", "30d"])
def test_stats_take_a_fixed_number_of_queries(django_assert_max_num_queries, period):
    with django_assert_max_num_queries(11):
        dashboard_stats(period=period)


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/dashboard/")


def test_logged_in_non_staff_user_is_sent_to_the_admin_login(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("cliente", password="pw"))
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_admin_index_links_to_the_dashboard_and_the_playground(client, staff):
    client.force_login(staff)
    html = client.get("/admin/").content.decode()
    assert 'href="/admin/dashboard/"' in html and 'href="/playground/"' in html
    assert 'href="/admin/auth/user/"' in html  # the stock app list is still there


@pytest.mark.usefixtures("history")
def test_turns_per_day_counts_each_local_day_of_the_last_30():
    data = dashboard_stats(period="30d")
    expected: dict = {}
    for created in Turn.objects.filter(created_at__gte=data.now - 30 * DAY).values_list("created_at", flat=True):
        expected[timezone.localdate(created)] = expected.get(timezone.localdate(created), 0) + 1
    assert len(data.turns_over_time) == 30 and data.turns_over_time[-1][0] == timezone.localdate(data.now)
    assert {day: n for day, n in data.turns_over_time if n} == expected
    assert sum(n for _, n in data.turns_over_time) == 6


@pytest.mark.usefixtures("history")
def test_turns_per_hour_cover_the_last_24_local_hours():
    data = dashboard_stats(period="24h")
    assert len(data.turns_over_time) == 24 and sum(n for _, n in data.turns_over_time) == 3
    last = data.turns_over_time[-1][0]
    assert last == timezone.localtime(data.now).replace(minute=0, second=0, microsecond=0)
