"""Order services against the Odoo stand-in: partner, one-call RFQ, idempotency, confirm, Odoo down then back,
receipt, transitions and the one-active-order rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.models import Message
from core.errors import InvalidTransition
from integrations.models import ExternalCall
from orders import services
from orders.models import OdooSyncStatus, PurchaseOrder, PurchaseOrderEvent
from orders.services import ActiveOrderExists, InvalidOrderLines, Outcome
from tests.orders.factories import contact_with_conversation, lines, synced_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def odoo(odoo_standin, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 1_000_000
    synced_catalog()
    return odoo_standin


def odoo_orders(standin):
    return list(standin.state.tables["purchase.order"].values())


def create(contact, conversation, *pairs):
    return services.purchase_order_create(contact_id=contact.pk, conversation_id=conversation.pk,
                                          lines=lines(*pairs), actor="agent")


# --- partner ---------------------------------------------------------------------------------------------------
def test_partner_is_found_by_normalised_phone(odoo):
    pid = odoo.state.create("res.partner", {"name": "Panadería", "phone": "+56 9 8765 4321"})
    contact, _ = contact_with_conversation(phone="+56987654321")
    assert services.odoo_partner_for_contact(contact_id=contact.pk) == pid


def test_partner_is_found_by_email_when_the_phone_does_not_match(odoo):
    pid = odoo.state.create("res.partner", {"name": "Café Lastarria", "email": "compras@cafelastarria.cl"})
    contact, _ = contact_with_conversation(email="Compras@CafeLastarria.cl")
    assert services.odoo_partner_for_contact(contact_id=contact.pk) == pid


def test_partner_is_created_with_name_phone_and_email_and_audited(odoo):
    contact, conversation = contact_with_conversation(name="Almacén Doña Rosa", phone="+56911112222",
                                                      email="rosa@almacen.cl")
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    partner = odoo.state.tables["res.partner"][odoo.state.tables["purchase.order"][PurchaseOrder.objects.get().odoo_id]["partner_id"]]
    assert (partner["name"], partner["phone"], partner["email"]) == ("Almacén Doña Rosa", "+56911112222", "rosa@almacen.cl")
    assert PurchaseOrderEvent.objects.filter(order_id=result.order_id, kind="odoo_partner_created").exists()


# --- create ------------------------------------------------------------------------------------------------------
def test_create_makes_one_rfq_with_its_lines_in_one_create_call(odoo):
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("AC-COCO-KG", 100), ("FS-ALM-KG", 20))
    assert result.outcome == Outcome.CREATED and result.state == "draft"
    assert result.odoo_name.startswith("P0") and result.amount_untaxed == Decimal("907000.00")
    assert result.amount_total == Decimal("1079330.00")  # Odoo's total, IVA included
    [order] = odoo_orders(odoo)
    assert f"Chatwoot conversation {conversation.chatwoot_id}" in order["origin"]
    assert len(odoo.state.one2many("purchase.order", order["id"], "order_line")) == 2
    assert odoo.state.calls.count(("purchase.order", "create")) == 1
    assert [l.product_code for l in result.lines] == ["AC-COCO-KG", "FS-ALM-KG"]


def test_create_rejects_unknown_products_and_bad_quantities_with_reasons(odoo, settings):
    settings.ORDER_MAX_QUANTITY_PER_LINE = 500
    contact, conversation = contact_with_conversation()
    with pytest.raises(InvalidOrderLines) as caught:
        create(contact, conversation, ("NO-EXISTE", 1), ("FS-ALM-KG", 0), ("GR-QUINOA-KG", 900))
    assert caught.value.problems == [("NO-EXISTE", "unknown"), ("FS-ALM-KG", "quantity"), ("GR-QUINOA-KG", "too_many")]
    assert PurchaseOrder.objects.count() == 0 and odoo_orders(odoo) == []


def test_a_second_active_order_for_the_contact_is_refused(odoo):
    contact, conversation = contact_with_conversation()
    first = create(contact, conversation, ("FS-ALM-KG", 5))
    with pytest.raises(ActiveOrderExists) as caught:
        create(contact, conversation, ("FS-NUEZ-KG", 5))
    assert caught.value.order_id == first.order_id
    assert services.purchase_order_active_for_contact(contact_id=contact.pk).pk == first.order_id


def test_push_run_twice_still_gives_one_odoo_order(odoo):
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("FS-ALM-KG", 5))
    PurchaseOrder.objects.filter(pk=result.order_id).update(odoo_sync_status=OdooSyncStatus.PENDING, odoo_id=None)
    again = services.purchase_order_push_to_odoo(order_id=result.order_id)  # e.g. the task re-delivered
    assert again.outcome == Outcome.CREATED and len(odoo_orders(odoo)) == 1
    assert services.purchase_order_push_to_odoo(order_id=result.order_id).outcome == Outcome.UNCHANGED


def test_network_failure_after_odoo_created_the_rfq_still_gives_one_order(odoo):
    contact, conversation = contact_with_conversation()
    odoo.fail_next("drop_after", method="create", model="purchase.order")  # Odoo commits, no answer arrives
    result = services.purchase_order_create(contact_id=contact.pk, conversation_id=conversation.pk,
                                            lines=lines(("FS-ALM-KG", 5)))
    assert result.outcome == Outcome.CREATED
    assert len(odoo_orders(odoo)) == 1
    assert PurchaseOrder.objects.get().odoo_id == odoo_orders(odoo)[0]["id"]


def test_a_lost_answer_to_the_partner_create_leaves_the_order_pending_then_one_partner_one_order(odoo):
    contact, conversation = contact_with_conversation(phone="+56955554444")
    odoo.fail_next("drop_after", method="create", model="res.partner")
    result = create(contact, conversation, ("FS-ALM-KG", 5))
    assert result.outcome == Outcome.PENDING_ODOO and odoo_orders(odoo) == []
    assert services.purchase_orders_push_pending()["pushed"] == 1
    partners = [p for p in odoo.state.tables["res.partner"].values() if p["phone"] == "+56955554444"]
    assert len(partners) == 1 and len(odoo_orders(odoo)) == 1
    assert odoo_orders(odoo)[0]["partner_id"] == partners[0]["id"]


def test_set_lines_writes_the_new_lines_to_odoo(odoo):
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("AC-COCO-KG", 100), ("FS-ALM-KG", 20))
    services.purchase_order_mark_sent(order_id=result.order_id)
    changed = services.purchase_order_set_lines(order_id=result.order_id,
                                                lines=lines(("AC-COCO-KG", 150), ("LV-ALMEN-CJ12", 3)))
    assert changed.outcome == Outcome.UPDATED and changed.state == "draft"  # a new quote is due
    odoo_lines = [odoo.state.tables["purchase.order.line"][i] for i in
                  odoo.state.one2many("purchase.order", changed_odoo_id(changed), "order_line")]
    assert sorted((l["product_qty"], l["name"]) for l in odoo_lines) == [
        (3.0, "Leche de almendra sin azúcar 1 L"), (150.0, "Aceite de coco orgánico a granel")]
    assert changed.amount_untaxed == Decimal("1117200.00")


def changed_odoo_id(result):
    return PurchaseOrder.objects.get(pk=result.order_id).odoo_id


# --- confirm -----------------------------------------------------------------------------------------------------
def test_confirm_at_or_under_the_threshold_confirms_in_odoo(odoo):
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    confirmed = services.purchase_order_confirm(order_id=result.order_id, actor="agent")
    assert confirmed.outcome == Outcome.CONFIRMED and confirmed.state == "confirmed"
    assert odoo_orders(odoo)[0]["state"] == "purchase" and confirmed.odoo_state == "purchase"


def test_confirm_over_the_threshold_waits_for_staff_and_leaves_odoo_draft(odoo, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 100_000
    settings.SLACK_WEBHOOK_URL = ""
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    waiting = services.purchase_order_confirm(order_id=result.order_id, actor="agent")
    assert waiting.outcome == Outcome.AWAITING_APPROVAL and waiting.state == "to_approve"
    assert odoo_orders(odoo)[0]["state"] == "draft"


def test_odoo_own_double_validation_is_followed(odoo):
    odoo.state.set_double_validation(amount=50_000)
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    confirmed = services.purchase_order_confirm(order_id=result.order_id, actor="agent")
    # button_confirm answered True, but Odoo routed it to approval: we follow the re-read state.
    assert confirmed.outcome == Outcome.AWAITING_APPROVAL and confirmed.state == "to_approve"
    assert confirmed.odoo_state == "to approve"


def test_approve_when_odoo_ignores_a_non_manager_is_reported_not_hidden(odoo, approver):
    odoo.state.set_double_validation(amount=50_000)
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    services.purchase_order_confirm(order_id=result.order_id)
    outcome = services.purchase_order_approve(order_id=result.order_id, user=approver)
    assert outcome.outcome == Outcome.ODOO_NOT_APPROVED and outcome.state == "to_approve"
    odoo.state.tables["res.users"][2]["purchase_manager"] = True
    outcome = services.purchase_order_approve(order_id=result.order_id, user=approver)
    assert outcome.outcome == Outcome.APPROVED and outcome.state == "confirmed"
    assert PurchaseOrder.objects.get().approved_by == approver


# --- Odoo down then back -----------------------------------------------------------------------------------------
def test_odoo_down_keeps_the_order_pending_and_pushes_and_confirms_when_back(odoo, settings):
    settings.ODOO_RETRY_ATTEMPTS = 1
    contact, conversation = contact_with_conversation()
    odoo.down()
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    assert result.outcome == Outcome.PENDING_ODOO and result.state == "draft" and not result.odoo_name
    confirm = services.purchase_order_confirm(order_id=result.order_id)
    assert confirm.outcome == Outcome.PENDING_ODOO
    assert PurchaseOrder.objects.get().odoo_sync_status == OdooSyncStatus.PENDING
    odoo.up()
    from integrations.odoo import client

    client.breaker().close()
    counts = services.purchase_orders_push_pending()
    assert counts == {"pushed": 1, "still_pending": 0, "confirmed": 1}
    order = PurchaseOrder.objects.get()
    assert order.state == "confirmed" and odoo_orders(odoo)[0]["state"] == "purchase"
    assert Message.objects.filter(conversation=conversation, content__contains="quedó confirmado").count() == 1


# --- cancel, refresh, receipt ------------------------------------------------------------------------------------
def test_cancel_cancels_in_odoo_even_though_button_cancel_returns_none(odoo):
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    cancelled = services.purchase_order_cancel(order_id=result.order_id, actor="agent", reason="cliente desiste")
    assert cancelled.outcome == Outcome.CANCELLED and cancelled.state == "cancelled"
    assert odoo_orders(odoo)[0]["state"] == "cancel"
    # the contact can start a new order now
    assert create(contact, conversation, ("FS-NUEZ-KG", 2)).outcome == Outcome.CREATED


def test_receipt_is_noticed_and_the_contact_told_once(odoo):
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    services.purchase_order_confirm(order_id=result.order_id)
    assert services.purchase_orders_watch_receipts()["received"] == 0
    odoo.state.receive(PurchaseOrder.objects.get().odoo_id)
    assert services.purchase_orders_watch_receipts() == {"checked": 1, "received": 1, "errors": 0}
    assert PurchaseOrder.objects.get().state == "received"
    assert services.purchase_order_refresh_from_odoo(order_id=result.order_id).outcome == Outcome.UNCHANGED
    assert Message.objects.filter(conversation=conversation, content__contains="recibido").count() == 1


def test_dry_run_writes_nothing_to_odoo_and_audits_what_it_would(odoo, settings):
    settings.DRY_RUN = True
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    assert result.outcome == Outcome.DRY_RUN and odoo_orders(odoo) == []
    event = PurchaseOrderEvent.objects.get(kind="dry_run_push")
    assert event.detail["would_write"]["lines"][0]["product"] == "FS-ALM-KG"
    assert not ExternalCall.objects.filter(method="purchase.order.create", outcome="ok").exists()


# --- the one door ------------------------------------------------------------------------------------------------
def test_invalid_transition_is_refused_with_a_clear_message(odoo):
    contact, conversation = contact_with_conversation()
    result = create(contact, conversation, ("FS-ALM-KG", 20))
    with pytest.raises(InvalidTransition, match="cannot go from 'draft' to 'received'"):
        services.purchase_order_transition(order_id=result.order_id, to_state="received", actor="agent")
    services.purchase_order_transition(order_id=result.order_id, to_state="sent", actor="agent", reason="quote")
    event = PurchaseOrderEvent.objects.filter(kind="transition").last()
    assert (event.before, event.after, event.actor, event.detail["reason"]) == ("draft", "sent", "agent", "quote")


def test_one_active_order_per_contact_is_a_database_constraint(odoo):
    from django.db import IntegrityError, transaction

    contact, conversation = contact_with_conversation()
    create(contact, conversation, ("FS-ALM-KG", 20))
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseOrder.objects.create(contact=contact, idempotency_key="other", origin="x")


def test_a_new_quote_costs_at_most_four_odoo_calls_and_a_repeat_customer_two(odoo):
    contact, conversation = contact_with_conversation(name="Nueva Cliente", phone="+56933332222",
                                                      email="nueva@cliente.cl")
    services.odoo_partner_for_contact(contact_id=create_warmup_contact().pk)  # field names detected (cached)
    ExternalCall.objects.all().delete()
    first = create(contact, conversation, ("FS-ALM-KG", 20))
    assert [c.method for c in ExternalCall.objects.order_by("id")] == [
        "res.partner.search_read", "res.partner.create", "purchase.order.create", "purchase.order.read"]
    services.purchase_order_cancel(order_id=first.order_id)
    ExternalCall.objects.all().delete()
    create(contact, conversation, ("FS-NUEZ-KG", 2))
    assert [c.method for c in ExternalCall.objects.order_by("id")] == ["purchase.order.create", "purchase.order.read"]


def create_warmup_contact():
    contact, _ = contact_with_conversation(name="Warmup", phone="+56900000001")
    return contact
