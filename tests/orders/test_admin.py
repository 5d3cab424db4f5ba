"""The approval console over HTTP: log in, post the changelist action, the confirmation page, the reason."""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from conversations.models import Message
from orders import services
from orders.models import OdooCommand, PurchaseOrder, PurchaseOrderEvent
from tests.orders.factories import confirm, contact_with_conversation, create, quoted, synced_catalog

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:orders_purchaseorder_changelist")


@pytest.fixture
def waiting_order(odoo_standin, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 100_000
    settings.SLACK_WEBHOOK_URL = ""
    synced_catalog()
    contact, conversation = contact_with_conversation(name="Café Lastarria")
    return confirm(contact, conversation, quoted(create(contact, conversation, ("FS-ALM-KG", 20))))


def post_action(client, action, order, **extra):
    return client.post(CHANGELIST, {"action": action, helpers.ACTION_CHECKBOX_NAME: [order.pk], **extra}, follow=True)


def test_changelist_lists_orders_awaiting_approval_first(client, approver, waiting_order):
    contact, conversation = contact_with_conversation(name="Otro")
    create(contact, conversation, ("FS-NUEZ-KG", 1))
    client.force_login(approver)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert list(page.context["cl"].result_list)[0].pk == waiting_order.pk
    assert "$259.420" in page.content.decode()


def test_order_page_shows_lines_with_stock_messages_and_events(client, approver, waiting_order):
    Message.objects.create(conversation=waiting_order.conversation, direction="inbound", content="Necesito 20 kilos de almendras",
                           status="received")
    client.force_login(approver)
    page = client.get(reverse("admin:orders_purchaseorder_change", args=[waiting_order.pk])).content.decode()
    assert "Almendra entera sin tostar" in page and "350" in page  # stock on hand
    assert "Necesito 20 kilos de almendras" in page
    assert "to_approve" in page  # the event history


def test_approve_over_http_asks_for_confirmation_then_confirms_in_odoo(client, approver, waiting_order, odoo_standin,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(approver)
    page = post_action(client, "approve_orders", waiting_order)
    assert "Approve these 1 order(s)?" in page.content.decode()
    assert PurchaseOrder.objects.get().state == "to_approve"  # nothing yet
    with django_capture_on_commit_callbacks(execute=True):  # the contact's notice is told after commit
        page = post_action(client, "approve_orders", waiting_order, confirm="yes")
    assert "approved and confirmed in Odoo" in page.content.decode()
    order = PurchaseOrder.objects.get()
    assert (order.state, order.approved_by, order.odoo_state) == ("confirmed", approver, "purchase")
    assert odoo_standin.state.tables["purchase.order"][order.odoo_id]["state"] == "purchase"
    assert Message.objects.filter(conversation=order.conversation, content__contains="fue aprobado").exists()


def test_reject_over_http_requires_a_reason_and_tells_the_contact(client, approver, waiting_order, odoo_standin,
                                                                django_capture_on_commit_callbacks):
    client.force_login(approver)
    page = post_action(client, "reject_orders", waiting_order, confirm="yes", reason="")
    assert "A reason is required" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = post_action(client, "reject_orders", waiting_order, confirm="yes", reason="Sin stock del proveedor")
    assert "rejected and cancelled in Odoo" in page.content.decode()
    order = PurchaseOrder.objects.get()
    assert (order.state, order.rejected_by, order.decision_reason) == ("cancelled", approver, "Sin stock del proveedor")
    assert odoo_standin.state.tables["purchase.order"][order.odoo_id]["state"] == "cancel"
    notice = Message.objects.get(conversation=order.conversation, content__contains="no fue aprobado")
    assert "Sin stock del proveedor" in notice.content


def test_odoo_unreachable_during_approval_is_reported_and_recorded(client, approver, waiting_order, odoo_standin, settings):
    settings.ODOO_RETRY_ATTEMPTS = 1
    odoo_standin.down()
    client.force_login(approver)
    page = post_action(client, "approve_orders", waiting_order, confirm="yes")
    assert "Odoo could not be reached" in page.content.decode()
    assert PurchaseOrder.objects.get().state == "to_approve"
    delayed = PurchaseOrderEvent.objects.get(kind="odoo_delayed")
    assert delayed.detail["command"] == "approve" and delayed.notice == ""  # staff see it; the contact waits
    assert OdooCommand.objects.get(kind="approve", actor="user:aprobadora").state == "pending"  # the sweeper retries


def test_staff_without_the_approve_permission_cannot_approve(client, django_user_model, waiting_order):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("vendedor", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_purchaseorder"))
    client.force_login(clerk)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "approve_orders" not in page.content.decode()
    post_action(client, "approve_orders", waiting_order, confirm="yes")
    assert PurchaseOrder.objects.get().state == "to_approve"
    with pytest.raises(services.ApprovalDenied):
        services.purchase_order_approve(order_id=waiting_order.pk, user=clerk)


def test_login_over_http_then_approve(client, approver, waiting_order):
    assert client.post(reverse("admin:login"), {"username": "aprobadora", "password": "pw-aprobadora",
                                                "next": CHANGELIST}).status_code == 302
    page = post_action(client, "approve_orders", waiting_order, confirm="yes")
    assert "approved and confirmed in Odoo" in page.content.decode()
