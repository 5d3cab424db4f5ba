"""The dashboard's numbers against a seeded history with exact expectations for both windows, and its access rules.

History (relative to now): "recent" rows are 1-2 hours old (inside both windows), "older" rows 3-5 days old (30 days
only), "ancient" rows 40 days old (neither). Every count below is worked out by hand from `history`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
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


def _figure(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{re.escape(row_id)}"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>', html)
    assert match, f"row {row_id} not on the page"
    return unescape(match.group(1))


EXPECTED = {
    "24h": {
        "turns": "3", "rules-share": "66.7%", "llm-share": "33.3%", "handoff-rate": "50.0% (1 of 2)",
        "first-human-reply": "5 min 00 s (1 answered, 0 waiting)", "orders-quoted": "1", "orders-confirmed": "1",
        "orders-to-approve": "1", "orders-approved": "1", "orders-rejected": "0",
        "approval-latency": "30 min 00 s / 30 min 00 s", "send-failures": "1",
        "deliveries-failed": "0 / 1", "duplicates": "1", "odoo-errors": "1",
    },
    "30d": {
        "turns": "6", "rules-share": "66.7%", "llm-share": "33.3%", "handoff-rate": "75.0% (3 of 4)",
        "first-human-reply": "10 min 00 s (2 answered, 1 waiting)", "orders-quoted": "3", "orders-confirmed": "2",
        "orders-to-approve": "2", "orders-approved": "1", "orders-rejected": "1",
        "approval-latency": "1 h 15 min / 2 h 00 min", "send-failures": "2",
        "deliveries-failed": "1 / 1", "duplicates": "3", "odoo-errors": "2",
    },
}


@pytest.mark.usefixtures("history")
def test_figures_for_both_windows_match_the_seeded_history(client, staff):
    client.force_login(staff)
    html = client.get(URL).content.decode()
    seen = {window: {slug: _figure(html, f"{window}-{slug}") for slug in expected}
            for window, expected in EXPECTED.items()}
    assert seen == EXPECTED


@pytest.mark.usefixtures("history")
def test_turn_breakdowns_per_lane_intent_source_and_handoff_reason():
    day, month = dashboard_stats().windows["24h"], dashboard_stats().windows["30d"]
    assert day.turns_by_lane == {"info": 1, "purchase": 1, "support": 1}
    assert month.turns_by_lane == {"info": 3, "purchase": 2, "support": 1}
    assert month.turns_by_intent == {("info", "greeting"): 1, ("info", "faq"): 2, ("purchase", "order_create"): 1,
                                     ("purchase", "order_confirm"): 1, ("support", "human_handoff"): 1}
    assert month.turns_by_source == {"rules": 4, "llm": 2}
    assert day.handoffs_by_reason == {"human_request": 1}
    assert month.handoffs_by_reason == {"human_request": 1, "complaint": 1, "failure": 1}
    assert month.odoo_errors_by_method == {"create": 1, "write": 1}


@pytest.mark.usefixtures("history")
def test_charts_are_inline_svg_with_the_labels(client, staff):
    client.force_login(staff)
    html = client.get(URL).content.decode()
    window = html[html.index('id="window-30d"'):]
    assert window.count("<svg") >= 5
    for label in ("purchase / order_create", "human_request", "complaint", "rules 4 (67%)", "LLM 2 (33%)"):
        assert label in window
    assert 'aria-label="Turns per day, last 30 days"' in html
    assert "<script" not in html.split("</head>")[1]  # charts need no JavaScript


def test_labels_from_the_database_are_escaped_in_the_charts(client, staff):
    conv = _conversation(9)
    HandoffCase.objects.create(conversation=conv, reason="<b>x</b>", actor="bot", summary="s")
    client.force_login(staff)
    html = client.get(URL).content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_empty_database_renders_dashes_not_errors(client, staff):
    client.force_login(staff)
    html = client.get(URL).content.decode()
    assert _figure(html, "24h-turns") == "0"
    assert _figure(html, "30d-handoff-rate") == "— (0 of 0)"
    assert _figure(html, "30d-approval-latency") == "— / —"


@pytest.mark.usefixtures("history")
def test_stats_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        dashboard_stats()


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
    data = dashboard_stats()
    expected: dict = {}
    for created in Turn.objects.filter(created_at__gte=data.now - 30 * DAY).values_list("created_at", flat=True):
        expected[timezone.localdate(created)] = expected.get(timezone.localdate(created), 0) + 1
    assert len(data.turns_per_day) == 30 and data.turns_per_day[-1][0] == timezone.localdate(data.now)
    assert {day: n for day, n in data.turns_per_day if n} == expected
    assert sum(n for _, n in data.turns_per_day) == 6
