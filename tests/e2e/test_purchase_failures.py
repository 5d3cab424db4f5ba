"""Odoo down then back, a command re-run after its outcome was lost, a network failure after Odoo created the
order, DRY_RUN: one Odoo order and one reply each, whatever fails when."""

import time

import pytest

from conversations.models import Message
from integrations.models import ExternalCall
from integrations.odoo.client import breaker as odoo_breaker
from orders.models import CommandState, OdooCommand, PurchaseOrder, PurchaseOrderEvent
from orders.tasks import sweep_odoo_commands
from tests.e2e.conftest import admin_login, buttons


def due_now():
    """Let the sweeper retry at once (the backoff is tested in the orders tests)."""
    OdooCommand.objects.filter(state=CommandState.PENDING).update(next_attempt_at=None)


def test_odoo_down_the_contact_is_told_staff_see_it_pending_and_it_is_pushed_when_back(shop, approver, client,
                                                                                          settings):
    settings.ODOO_BREAKER_FAIL_MAX = 1
    settings.ODOO_BREAKER_RESET_SECONDS = 0.3
    ana = shop.contact()
    shop.odoo.down()
    [reply] = ana.texts("Necesito 100kg aceite de coco y 20 kilos de almendras")
    assert reply.startswith("Recibimos tu pedido:") and "te confirmaremos la cotización en breve" in reply
    assert "• 100 kg Aceite de coco orgánico a granel × $6.890 = $689.000" in reply
    assert odoo_breaker().current_state == "open"
    order = PurchaseOrder.objects.get()
    assert (order.state, order.odoo_sync_status) == ("draft", "pending")

    admin_login(client, approver)
    page = client.get("/admin/orders/purchaseorder/")
    assert page.status_code == 200 and "Pending push to Odoo" in page.content.decode()

    due_now()
    assert sweep_odoo_commands() == {"orders": 1, "finished": 0}  # still down: nothing lost, nothing sent
    assert ana.new_messages() == []
    shop.odoo.up()
    time.sleep(0.35)  # the breaker lets a trial call through after its reset timeout
    due_now()
    assert sweep_odoo_commands() == {"orders": 1, "finished": 2}  # the push, then the quote marked sent
    assert sweep_odoo_commands() == {"orders": 0, "finished": 0}
    [odoo_order] = shop.odoo_orders()
    assert odoo_order["state"] == "sent"
    [quote] = ana.new_messages()
    assert quote["content"].startswith(f"Cotización {odoo_order['name']} creada:")
    assert buttons(quote) == ["Confirmar", "Modificar", "Cancelar"]
    [confirm] = ana.texts("sí, confirmo")
    assert "en revisión" in confirm


def test_a_push_whose_outcome_was_lost_is_looked_up_not_repeated(shop):
    """The worker died after Odoo created the RFQ and before we recorded it: the command is still `running`."""
    ana = shop.contact()
    ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    order = PurchaseOrder.objects.get()
    OdooCommand.objects.filter(order=order).update(state=CommandState.RUNNING, attempts=1)
    PurchaseOrder.objects.filter(pk=order.pk).update(odoo_sync_status="pending", odoo_id=None, odoo_name="")
    assert sweep_odoo_commands() == {"orders": 1, "finished": 2}  # the push adopted, the mark-sent found done
    assert sweep_odoo_commands() == {"orders": 0, "finished": 0}
    assert len(shop.odoo_orders()) == 1
    assert PurchaseOrder.objects.get().odoo_id == shop.odoo_orders()[0]["id"]
    assert OdooCommand.objects.get(order=order, kind="push").result["adopted"] == shop.odoo_orders()[0]["id"]
    assert [m for m in ana.new_messages() if m["content"].startswith("Cotización")] == []  # the quote, once


def test_a_network_failure_after_odoo_created_the_order_still_makes_one(shop):
    shop.odoo.fail_next("drop_after", method="create", model="purchase.order")
    ana = shop.contact()
    [quote] = ana.texts("Necesito 100kg aceite de coco y 20 kilos de almendras")
    [odoo_order] = shop.odoo_orders()
    assert quote.startswith(f"Cotización {odoo_order['name']} creada:")
    assert PurchaseOrder.objects.get().odoo_id == odoo_order["id"]


@pytest.mark.parametrize("threshold", [0, 10_000_000])
def test_dry_run_writes_nothing_to_odoo_or_chatwoot_and_audits_what_it_would_have(shop, settings, threshold):
    settings.ORDER_APPROVAL_THRESHOLD = threshold
    settings.DRY_RUN = True
    ana = shop.contact()
    assert ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras") == []
    assert ana.says("sí, confirmo") == []
    assert shop.odoo_orders() == []
    assert not [m for m in shop.chatwoot.sent]
    order = PurchaseOrder.objects.get()
    would = PurchaseOrderEvent.objects.get(order=order, kind="quote_ready")
    assert would.detail["dry_run"] and would.detail["would_write"]["lines"][0]["product"] == "AC-COCO-KG"
    assert Message.objects.filter(direction="outbound", content__startswith="Cotización (modo de prueba").exists()
    expected = "Confirmación recibida (modo de prueba" if threshold else "en revisión"
    assert Message.objects.filter(direction="outbound", content__contains=expected).exists()
    would_send = ExternalCall.objects.filter(system="chatwoot", method="send_message", outcome="dry_run")
    assert any("Cotización (modo de prueba" in call.request_summary for call in would_send)
    assert not ExternalCall.objects.filter(system="odoo", method__in=["purchase.order.create", "create"]).exclude(
        outcome="dry_run").exists()


def test_a_yes_while_odoo_is_down_is_kept_and_confirmed_when_it_is_back(shop, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000
    settings.ODOO_BREAKER_RESET_SECONDS = 0.3
    ana = shop.contact()
    ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    [odoo_order] = shop.odoo_orders()
    shop.odoo.down()
    [reply] = ana.texts("sí, confirmo")
    assert reply.startswith(f"Recibimos tu confirmación del pedido {odoo_order['name']}")
    assert PurchaseOrder.objects.get().confirm_requested_at is not None
    shop.odoo.up()
    time.sleep(0.35)
    due_now()
    assert sweep_odoo_commands()["finished"] == 1
    assert shop.odoo_orders()[0]["state"] == "purchase"
    [notice] = ana.new_messages()
    assert notice["content"].startswith(f"¡Listo! Tu pedido {odoo_order['name']} por $")
    assert PurchaseOrder.objects.get().state == "confirmed"


def test_odoo_refusing_the_order_tells_the_contact_and_staff_see_why(shop):
    shop.odoo.fail_next("validation", method="create", model="purchase.order")
    ana = shop.contact()
    [reply] = ana.texts("quiero 10 kg de quinoa")
    assert reply.startswith("No pudimos registrar tu pedido en nuestro sistema")
    order = PurchaseOrder.objects.get()
    assert order.odoo_sync_status == "failed" and order.odoo_error
    assert PurchaseOrderEvent.objects.filter(order=order, kind="odoo_refused").exists()
    assert shop.odoo_orders() == []
    conversation = order.conversation
    conversation.refresh_from_db()
    assert (conversation.mode, conversation.handoff_reason) == ("human", "order_attention")


def test_a_quote_owed_after_odoo_was_down_is_not_sent_by_the_bot_once_staff_have_the_chat(shop, approver,
                                                                                          settings):
    from conversations.handoff import conversation_take_over

    settings.ODOO_BREAKER_FAIL_MAX = 1
    settings.ODOO_BREAKER_RESET_SECONDS = 0.3
    ana = shop.contact()
    shop.odoo.down()
    ana.texts("Necesito 100kg aceite de coco y 20 kilos de almendras")
    order = PurchaseOrder.objects.get()
    conversation_take_over(conversation_id=order.conversation_id, user=approver)
    shop.odoo.up()
    time.sleep(0.35)
    due_now()
    assert sweep_odoo_commands() == {"orders": 1, "finished": 1}  # pushed: staff see Odoo's quote on the order
    assert [m for m in ana.new_messages() if m["content"].startswith("Cotización")] == []
    order = PurchaseOrder.objects.get()
    assert order.state == "draft" and order.odoo_id  # not quoted to the contact: staff speak for the business now
    assert PurchaseOrderEvent.objects.get(order=order, kind="quote_ready").notice == "withheld"
