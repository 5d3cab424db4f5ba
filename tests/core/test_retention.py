from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations.models import Contact, Conversation, ConversationEvent, DuplicateDelivery, Message, WebhookDelivery
from core.retention import REDACTED, retention_apply
from integrations.models import ExternalCall
from orders.models import Product

pytestmark = pytest.mark.django_db


def _age(obj, days: int, field: str = "created_at"):
    type(obj).objects.filter(pk=obj.pk).update(**{field: timezone.now() - timedelta(days=days)})


@pytest.fixture
def history(settings):
    """One of each kind of row, old (past every age) and recent."""
    settings.RETENTION_DAYS = {"messages": 180, "webhooks": 30, "llm_logs": 30}
    settings.RETENTION_BATCH_SIZE = 2  # several batches even for this small history
    contact = Contact.objects.create(account_id=1, chatwoot_id=5, name="Ana Pérez", phone_e164="+56911112222")
    conversation = Conversation.objects.create(account_id=1, chatwoot_id=9, contact=contact, channel="email")
    rows = {"conversation": conversation, "contact": contact}
    for label, days in (("old", 200), ("recent", 10)):
        message = Message.objects.create(
            conversation=conversation, direction="inbound", status="received", content=f"{label}: mi RUT es 12.345.678-9",
            attachments=[{"file_type": "image", "url": "https://x/y.jpg"}], subject="Pedido", quoted_text="> antes",
            content_attributes={"email": {"html_content": {"full": "<p>hola</p>"}}},
        )
        delivery = WebhookDelivery.objects.create(event="message_created", body='{"content": "hola"}',
                                                  headers={"X-Chatwoot-Signature": "sha256=..."}, outcome="processed")
        llm = ExternalCall.objects.create(system="llm", method="route", request_summary="hola", response_summary="{}")
        odoo = ExternalCall.objects.create(system="odoo", method="create", request_summary="Ana Pérez",
                                           response_summary="42", outcome="ok")
        event = ConversationEvent.objects.create(conversation=conversation, kind="take_over", actor="staff")
        _age(message, days), _age(llm, days), _age(odoo, days), _age(event, days)
        _age(delivery, days if days < 30 else 40, field="received_at")
        duplicate = DuplicateDelivery.objects.create(event="message_created", delivery_id=label)
        _age(duplicate, days if days < 30 else 40, field="received_at")
        rows[label] = {"message": message, "delivery": delivery, "llm": llm, "odoo": odoo, "event": event}
    pending = WebhookDelivery.objects.create(event="message_created", body='{"pending": 1}', outcome="pending")
    _age(pending, 40, field="received_at")
    rows["pending_delivery"] = pending
    rows["product"] = Product.objects.create(default_code="A1", name="Arroz", uom="kg", price=1000)
    return rows


def test_old_personal_data_is_redacted_or_deleted(history):
    counts = retention_apply()

    old = history["old"]
    message = Message.objects.get(pk=old["message"].pk)
    assert (message.content, message.attachments, message.quoted_text, message.subject) == (REDACTED, [], "", "")
    assert message.content_attributes == {}
    delivery = WebhookDelivery.objects.get(pk=old["delivery"].pk)
    assert (delivery.body, delivery.headers, delivery.event, delivery.outcome) == ("", {}, "message_created", "processed")
    assert not ExternalCall.objects.filter(pk=old["llm"].pk).exists()
    odoo = ExternalCall.objects.get(pk=old["odoo"].pk)
    assert (odoo.request_summary, odoo.response_summary, odoo.outcome) == ("", "", "ok")
    assert counts["messages"] == 1 and counts["webhook_deliveries"] == 1
    assert counts["llm_calls"] == 1 and counts["call_summaries"] == 1
    assert list(DuplicateDelivery.objects.values_list("delivery_id", flat=True)) == ["recent"]


def test_recent_rows_audit_rows_orders_and_pending_deliveries_are_kept(history):
    retention_apply()

    recent = history["recent"]
    assert Message.objects.get(pk=recent["message"].pk).content == "recent: mi RUT es 12.345.678-9"
    assert WebhookDelivery.objects.get(pk=recent["delivery"].pk).body == '{"content": "hola"}'
    assert ExternalCall.objects.get(pk=recent["llm"].pk).request_summary == "hola"
    assert ExternalCall.objects.get(pk=recent["odoo"].pk).request_summary == "Ana Pérez"
    assert WebhookDelivery.objects.get(pk=history["pending_delivery"].pk).body == '{"pending": 1}'
    assert ConversationEvent.objects.count() == 2  # audit rows, old and recent
    assert Message.objects.count() == 2 and Conversation.objects.count() == 1 and Contact.objects.count() == 1
    assert Product.objects.filter(default_code="A1").exists()


def test_second_run_changes_nothing(history):
    retention_apply()
    assert set(retention_apply().values()) == {0}


def test_dry_run_reports_counts_and_changes_nothing(history):
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "messages: 1 (would redact; older than 180 days)" in text
    assert "webhook_deliveries: 1 (would redact; older than 30 days)" in text
    assert "llm_calls: 1 (would delete; older than 30 days)" in text
    assert "dry run: nothing changed" in text
    assert Message.objects.get(pk=history["old"]["message"].pk).content.startswith("old:")
    assert ExternalCall.objects.filter(system="llm").count() == 2
    assert WebhookDelivery.objects.get(pk=history["old"]["delivery"].pk).body != ""


def test_command_applies_and_reports(history):
    out = StringIO()
    call_command("retention", stdout=out)
    assert "messages: 1 (did redact; older than 180 days)" in out.getvalue()
    assert Message.objects.filter(content=REDACTED).count() == 1


def test_retention_runs_daily_from_the_schedule(db):
    from django_q.models import Schedule

    from core.schedules import seed_schedules

    seed_schedules()
    schedule = Schedule.objects.get(name="retention")
    assert (schedule.func, schedule.minutes) == ("core.retention.retention_task", 1440)


def test_old_turn_text_and_handoff_quotes_are_redacted_and_orders_with_their_events_kept(history):
    from agents.models import Turn
    from conversations.models import HandoffCase
    from orders.models import PurchaseOrder, PurchaseOrderEvent

    old_message, recent_message = history["old"]["message"], history["recent"]["message"]
    conversation, contact = history["conversation"], history["contact"]
    old_turn = Turn.objects.create(conversation=conversation, message=old_message, text="quiero 3 sacos",
                                   reply="Listo, 3 sacos", lane="purchase", intent="order_create", source="rules")
    recent_turn = Turn.objects.create(conversation=conversation, message=recent_message, text="hola", reply="¡Hola!",
                                      lane="info", intent="greeting", source="rules")
    case = HandoffCase.objects.create(conversation=conversation, turn_id=old_turn.pk, reason="complaint", actor="bot",
                                      summary="Ana reclama por un pedido atrasado", contact_text="¡llegó tarde!")
    order = PurchaseOrder.objects.create(contact=contact, conversation=conversation, idempotency_key="k1",
                                         origin="chatwoot#9", state="confirmed", amount_total=30000)
    order_event = PurchaseOrderEvent.objects.create(order=order, actor="user:ana", kind="approve", after="confirmed")
    for row in (old_turn, case, order, order_event):
        _age(row, 200)

    counts = retention_apply()

    old_turn.refresh_from_db(), recent_turn.refresh_from_db(), case.refresh_from_db(), order.refresh_from_db()
    assert (old_turn.text, old_turn.reply, old_turn.lane, old_turn.intent) == ("", "", "purchase", "order_create")
    assert (recent_turn.text, recent_turn.reply) == ("hola", "¡Hola!")
    assert (case.summary, case.contact_text, case.reason) == (REDACTED, "", "complaint")
    assert (order.state, order.amount_total) == ("confirmed", 30000)
    assert PurchaseOrderEvent.objects.filter(pk=order_event.pk, kind="approve").exists()
    assert counts["turns"] == 1 and counts["handoff_quotes"] == 1
