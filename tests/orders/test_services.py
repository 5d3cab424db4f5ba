"""Order services against the Odoo stand-in: partner, one-call RFQ, the outbox of Odoo commands (run after the
change's commit, idempotent, looked up after an unknown outcome), confirmation, approval, cancellation, receipt,
transitions and the one-active-order rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from core.errors import InvalidTransition
from integrations.models import ExternalCall
from orders import services
from orders.models import CommandState, OdooCommand, OdooSyncStatus, PurchaseOrder, PurchaseOrderEvent
from orders.selectors import purchase_order_active_for_contact
from orders.services import InvalidOrderLines, OrderChange, OrderChanged, Outcome
from tests.orders.factories import (
    cancel, confirm, contact_with_conversation, create, lines, quoted, set_lines, synced_catalog,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def odoo(odoo_standin, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 1_000_000
    synced_catalog()
    return odoo_standin


def odoo_orders(standin):
    return list(standin.state.tables["purchase.order"].values())


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
    order = create(contact, conversation, ("FS-ALM-KG", 20))
    partner = odoo.state.tables["res.partner"][odoo.state.tables["purchase.order"][order.odoo_id]["partner_id"]]
    assert (partner["name"], partner["phone"], partner["email"]) == ("Almacén Doña Rosa", "+56911112222", "rosa@almacen.cl")
    assert PurchaseOrderEvent.objects.filter(order=order, kind="odoo_partner_created").exists()


# --- create ------------------------------------------------------------------------------------------------------
def test_create_makes_one_rfq_with_its_lines_in_one_create_call_after_commit(odoo):
    contact, conversation = contact_with_conversation()
    with transaction.atomic():
        applied = services.order_change_apply(change=OrderChange("set_lines", lines=tuple(lines(
            ("AC-COCO-KG", 100), ("FS-ALM-KG", 20)))), contact_id=contact.pk, conversation_id=conversation.pk)
        assert odoo_orders(odoo) == []  # nothing reaches Odoo inside the commit
    assert OdooCommand.objects.get().state == CommandState.PENDING
    services.odoo_commands_run(order_id=applied.order_id)
    order = PurchaseOrder.objects.get()
    assert (order.state, order.odoo_sync_status, order.lines_version) == ("draft", "synced", 1)
    assert order.odoo_name.startswith("P0") and order.amount_untaxed == Decimal("907000.00")
    assert order.amount_total == Decimal("1079330.00")  # Odoo's total, IVA included
    [odoo_order] = odoo_orders(odoo)
    assert f"Chatwoot conversation {conversation.chatwoot_id}" in odoo_order["origin"]
    assert len(odoo.state.one2many("purchase.order", odoo_order["id"], "order_line")) == 2
    assert odoo.state.calls.count(("purchase.order", "create")) == 1
    assert OdooCommand.objects.get().state == CommandState.DONE
    quote = PurchaseOrderEvent.objects.get(order=order, kind="quote_ready")
    assert quote.notice == "pending" and quote.detail["version"] == 1  # the agents tell the contact


def test_running_the_commands_again_does_nothing_more(odoo):
    contact, conversation = contact_with_conversation()
    order = create(contact, conversation, ("FS-ALM-KG", 5))
    calls = len(odoo.state.calls)
    assert services.odoo_commands_run(order_id=order.pk) == []
    assert services.odoo_commands_sweep() == {"orders": 0, "finished": 0}
    assert len(odoo.state.calls) == calls and len(odoo_orders(odoo)) == 1


def test_invalid_lines_are_refused_with_reasons_and_nothing_is_written(odoo, settings):
    settings.ORDER_MAX_QUANTITY_PER_LINE = 500
    contact, conversation = contact_with_conversation()
    with pytest.raises(InvalidOrderLines) as caught:
        create(contact, conversation, ("NO-EXISTE", 1), ("FS-ALM-KG", 0), ("GR-QUINOA-KG", 900))
    assert caught.value.problems == [("NO-EXISTE", "unknown"), ("FS-ALM-KG", "quantity"), ("GR-QUINOA-KG", "too_many")]
    assert PurchaseOrder.objects.count() == 0 and odoo_orders(odoo) == []


def test_a_second_active_order_means_the_decision_is_taken_again(odoo):
    contact, conversation = contact_with_conversation()
    first = create(contact, conversation, ("FS-ALM-KG", 5))
    with pytest.raises(OrderChanged):
        create(contact, conversation, ("FS-NUEZ-KG", 5))
    assert purchase_order_active_for_contact(contact_id=contact.pk).pk == first.pk


def test_a_change_decided_on_old_lines_is_refused(odoo):
    contact, conversation = contact_with_conversation()
    order = create(contact, conversation, ("FS-ALM-KG", 5))
    set_lines(contact, conversation, order, ("FS-ALM-KG", 10))  # version 2 now
    with pytest.raises(OrderChanged):
        set_lines(contact, conversation, order, ("FS-ALM-KG", 15))  # decided on version 1
    assert [l.quantity for l in PurchaseOrder.objects.get().lines.all()] == [Decimal("10.000")]


def test_a_push_left_running_by_a_dead_worker_is_looked_up_not_repeated(odoo):
    contact, conversation = contact_with_conversation()
    order = create(contact, conversation, ("FS-ALM-KG", 5))
    OdooCommand.objects.filter(order=order).update(state=CommandState.RUNNING)
    PurchaseOrder.objects.filter(pk=order.pk).update(odoo_sync_status=OdooSyncStatus.PENDING, odoo_id=None)
    assert len(services.odoo_commands_run(order_id=order.pk)) == 1
    assert len(odoo_orders(odoo)) == 1 and PurchaseOrder.objects.get().odoo_id == odoo_orders(odoo)[0]["id"]


def test_network_failure_after_odoo_created_the_rfq_still_gives_one_order(odoo):
    contact, conversation = contact_with_conversation()
    odoo.fail_next("drop_after", method="create", model="purchase.order")  # Odoo commits, no answer arrives
    order = create(contact, conversation, ("FS-ALM-KG", 5))
    assert order.odoo_sync_status == "synced" and len(odoo_orders(odoo)) == 1
    assert order.odoo_id == odoo_orders(odoo)[0]["id"]
    assert OdooCommand.objects.get().result["adopted"] == order.odoo_id


def test_a_lost_answer_to_the_partner_create_leaves_the_order_pending_then_one_partner_one_order(odoo):
    contact, conversation = contact_with_conversation(phone="+56955554444")
    odoo.fail_next("drop_after", method="create", model="res.partner")
    order = create(contact, conversation, ("FS-ALM-KG", 5))
    command = OdooCommand.objects.get()
    assert order.odoo_sync_status == "pending" and odoo_orders(odoo) == []
    assert (command.state, command.maybe_done) == ("pending", True) and command.next_attempt_at
    assert PurchaseOrderEvent.objects.get(kind="odoo_delayed").notice == "pending"  # the contact hears once
    OdooCommand.objects.update(next_attempt_at=None)
    assert services.odoo_commands_sweep() == {"orders": 1, "finished": 1}
    partners = [p for p in odoo.state.tables["res.partner"].values() if p["phone"] == "+56955554444"]
    assert len(partners) == 1 and len(odoo_orders(odoo)) == 1
    assert odoo_orders(odoo)[0]["partner_id"] == partners[0]["id"]
    assert PurchaseOrderEvent.objects.filter(kind="odoo_delayed").count() == 1


def test_new_lines_rewrite_the_rfq_and_a_sent_quote_goes_back_to_draft(odoo):
    contact, conversation = contact_with_conversation()
    order = quoted(create(contact, conversation, ("AC-COCO-KG", 100), ("FS-ALM-KG", 20)))
    changed = set_lines(contact, conversation, order, ("AC-COCO-KG", 150), ("LV-ALMEN-CJ12", 3))
    assert changed.state == "draft" and changed.lines_version == 2  # a new quote is due
    odoo_lines = [odoo.state.tables["purchase.order.line"][i] for i in
                  odoo.state.one2many("purchase.order", changed.odoo_id, "order_line")]
    assert sorted((l["product_qty"], l["name"]) for l in odoo_lines) == [
        (3.0, "Leche de almendra sin azúcar 1 L"), (150.0, "Aceite de coco orgánico a granel")]
    assert changed.amount_untaxed == Decimal("1117200.00") and len(odoo_orders(odoo)) == 1


def test_lines_changed_again_before_odoo_answered_push_only_the_newest(odoo):
    contact, conversation = contact_with_conversation()
    odoo.down()
    order = create(contact, conversation, ("FS-ALM-KG", 5))
    order = set_lines(contact, conversation, order, ("FS-ALM-KG", 9))
    odoo.up()
    from integrations.odoo import client

    client.breaker().close()
    OdooCommand.objects.update(next_attempt_at=None)
    services.odoo_commands_sweep()
    states = dict(OdooCommand.objects.values_list("lines_version", "state"))
    assert states == {1: "superseded", 2: "done"}
    [line] = odoo.state.tables["purchase.order.line"].values()
    assert line["product_qty"] == 9.0 and len(odoo_orders(odoo)) == 1
    quotes = PurchaseOrderEvent.objects.filter(kind="quote_ready")
    assert [(q.detail["version"], q.notice) for q in quotes] == [(2, "pending")]


# --- confirm -----------------------------------------------------------------------------------------------------
def test_confirm_at_or_under_the_threshold_confirms_in_odoo(odoo):
    contact, conversation = contact_with_conversation()
    order = confirm(contact, conversation, quoted(create(contact, conversation, ("FS-ALM-KG", 20))))
    assert order.state == "confirmed" and order.odoo_state == "purchase"
    assert odoo_orders(odoo)[0]["state"] == "purchase"
    assert PurchaseOrderEvent.objects.get(kind="transition", after="confirmed").notice == "pending"


def test_confirm_over_the_threshold_waits_for_staff_and_leaves_odoo_draft(odoo, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 100_000
    contact, conversation = contact_with_conversation()
    order = quoted(create(contact, conversation, ("FS-ALM-KG", 20)))
    assert services.confirmation_needs_approval(order)
    order = confirm(contact, conversation, order)
    assert order.state == "to_approve" and odoo_orders(odoo)[0]["state"] == "draft"
    assert not OdooCommand.objects.filter(kind="confirm").exists()


def test_odoo_own_double_validation_is_followed(odoo):
    odoo.state.set_double_validation(amount=50_000)
    contact, conversation = contact_with_conversation()
    order = confirm(contact, conversation, quoted(create(contact, conversation, ("FS-ALM-KG", 20))))
    # button_confirm answered True, but Odoo routed it to approval: we follow the re-read state.
    assert (order.state, order.odoo_state) == ("to_approve", "to approve")


def test_a_confirmation_queued_for_old_lines_is_not_sent(odoo):
    contact, conversation = contact_with_conversation()
    order = quoted(create(contact, conversation, ("FS-ALM-KG", 20)))
    with transaction.atomic():
        services.order_change_apply(change=OrderChange("confirm", order_id=order.pk, base_version=1),
                                    contact_id=contact.pk, conversation_id=conversation.pk)
        # the contact changed the lines in the same breath: the yes was for the old ones
        services.order_change_apply(change=OrderChange("set_lines", order_id=order.pk, base_version=1,
                                                       lines=tuple(lines(("FS-ALM-KG", 30)))),
                                    contact_id=contact.pk, conversation_id=conversation.pk)
    services.odoo_commands_run(order_id=order.pk)
    order.refresh_from_db()
    assert order.state == "draft" and odoo_orders(odoo)[0]["state"] == "draft"
    assert OdooCommand.objects.get(kind="confirm").state == "superseded"


def test_approve_when_odoo_ignores_a_non_manager_is_reported_not_hidden(odoo, approver):
    odoo.state.set_double_validation(amount=50_000)
    contact, conversation = contact_with_conversation()
    order = confirm(contact, conversation, quoted(create(contact, conversation, ("FS-ALM-KG", 20))))
    outcome = services.purchase_order_approve(order_id=order.pk, user=approver)
    assert outcome.outcome == Outcome.ODOO_NOT_APPROVED and outcome.state == "to_approve"
    odoo.state.tables["res.users"][2]["purchase_manager"] = True
    outcome = services.purchase_order_approve(order_id=order.pk, user=approver)
    assert outcome.outcome == Outcome.APPROVED and outcome.state == "confirmed"
    assert PurchaseOrder.objects.get().approved_by == approver
    assert PurchaseOrderEvent.objects.get(kind="transition", after="confirmed").detail["notice"] == "approved"


def test_approve_with_odoo_down_is_reported_and_finished_by_the_sweeper(odoo, approver, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 100_000
    contact, conversation = contact_with_conversation()
    order = confirm(contact, conversation, quoted(create(contact, conversation, ("FS-ALM-KG", 20))))
    odoo.down()
    assert services.purchase_order_approve(order_id=order.pk, user=approver).outcome == Outcome.ODOO_UNREACHABLE
    odoo.up()
    from integrations.odoo import client

    client.breaker().close()
    OdooCommand.objects.update(next_attempt_at=None)
    services.odoo_commands_sweep()
    assert PurchaseOrder.objects.get().state == "confirmed" and odoo_orders(odoo)[0]["state"] == "purchase"


def test_reject_cancels_in_odoo_and_records_the_reason_for_the_contact(odoo, approver, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 100_000
    contact, conversation = contact_with_conversation()
    order = confirm(contact, conversation, quoted(create(contact, conversation, ("FS-ALM-KG", 20))))
    outcome = services.purchase_order_reject(order_id=order.pk, user=approver, reason="sin stock del proveedor")
    assert outcome.outcome == Outcome.REJECTED and odoo_orders(odoo)[0]["state"] == "cancel"
    order.refresh_from_db()
    assert (order.state, order.rejected_by, order.decision_reason) == ("cancelled", approver, "sin stock del proveedor")
    event = PurchaseOrderEvent.objects.get(kind="transition", after="cancelled")
    assert (event.detail["notice"], event.detail["reason"], event.notice) == ("rejected", "sin stock del proveedor",
                                                                              "pending")


# --- cancel, refresh, receipt ------------------------------------------------------------------------------------
def test_cancel_cancels_in_odoo_even_though_button_cancel_returns_none(odoo):
    contact, conversation = contact_with_conversation()
    order = create(contact, conversation, ("FS-ALM-KG", 20))
    assert not services.cancellation_is_local(order)
    order = cancel(contact, conversation, order)
    assert order.state == "cancelled" and odoo_orders(odoo)[0]["state"] == "cancel"
    assert create(contact, conversation, ("FS-NUEZ-KG", 2)).state == "draft"  # a new order can start


def test_cancelling_an_order_odoo_never_had_is_immediate_and_nothing_reaches_odoo(odoo):
    contact, conversation = contact_with_conversation()
    odoo.down()
    order = create(contact, conversation, ("FS-ALM-KG", 20))
    assert services.cancellation_is_local(order) is False  # the push was attempted: it may have reached Odoo
    contact2, conversation2 = contact_with_conversation()
    with transaction.atomic():
        applied = services.order_change_apply(change=OrderChange("set_lines", lines=tuple(lines(("FS-ALM-KG", 2)))),
                                              contact_id=contact2.pk, conversation_id=conversation2.pk)
    fresh = PurchaseOrder.objects.get(pk=applied.order_id)
    assert services.cancellation_is_local(fresh)
    assert cancel(contact2, conversation2, fresh).state == "cancelled"
    assert OdooCommand.objects.get(order=fresh).state == "superseded"


def test_receipt_is_followed_once(odoo):
    contact, conversation = contact_with_conversation()
    order = confirm(contact, conversation, quoted(create(contact, conversation, ("FS-ALM-KG", 20))))
    assert services.purchase_orders_watch()["received"] == 0
    odoo.state.receive(order.odoo_id)
    assert services.purchase_orders_watch() == {"checked": 1, "received": 1, "errors": 0}
    assert PurchaseOrder.objects.get().state == "received"
    assert services.purchase_order_refresh_from_odoo(order_id=order.pk).outcome == Outcome.UNCHANGED
    [receipt] = PurchaseOrderEvent.objects.filter(kind="transition", after="received")
    assert (receipt.detail["notice"], receipt.notice) == ("received", "pending")


def test_dry_run_writes_nothing_to_odoo_and_audits_what_it_would(odoo, settings):
    settings.DRY_RUN = True
    contact, conversation = contact_with_conversation()
    order = create(contact, conversation, ("FS-ALM-KG", 20))
    assert order.odoo_sync_status == "dry_run" and odoo_orders(odoo) == []
    event = PurchaseOrderEvent.objects.get(kind="quote_ready")
    assert event.detail["dry_run"] and event.detail["would_write"]["lines"][0]["product"] == "FS-ALM-KG"
    assert not ExternalCall.objects.filter(method="purchase.order.create", outcome="ok").exists()


# --- the one door ------------------------------------------------------------------------------------------------
def test_invalid_transition_is_refused_with_a_clear_message(odoo):
    contact, conversation = contact_with_conversation()
    order = create(contact, conversation, ("FS-ALM-KG", 20))
    with pytest.raises(InvalidTransition, match="cannot go from 'draft' to 'received'"):
        services.purchase_order_transition(order_id=order.pk, to_state="received", actor="agent")
    services.purchase_order_transition(order_id=order.pk, to_state="sent", actor="agent", reason="quote")
    event = PurchaseOrderEvent.objects.filter(kind="transition").last()
    assert (event.before, event.after, event.actor, event.detail["reason"]) == ("draft", "sent", "agent", "quote")


def test_one_active_order_per_contact_is_a_database_constraint(odoo):
    from django.db import IntegrityError

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
        "res.partner.search_read", "res.partner.create", "purchase.order.create", "purchase.order.web_read"]
    cancel(contact, conversation, first)
    ExternalCall.objects.all().delete()
    create(contact, conversation, ("FS-NUEZ-KG", 2))
    assert [c.method for c in ExternalCall.objects.order_by("id")] == ["purchase.order.create", "purchase.order.web_read"]


def create_warmup_contact():
    contact, _ = contact_with_conversation(name="Warmup", phone="+56900000001")
    return contact
