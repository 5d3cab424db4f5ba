"""The approval console over HTTP, in Spanish (the default): the order list, the order page shaped like Odoo's form
(status bar, Aprobar / Rechazar for approvers, lines with stock, totals with IVA, history in sentences, the link
to Odoo), and the `approve_orders` / `reject_orders` actions with their confirmation page."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Group, Permission
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


def order_page(order) -> str:
    return reverse("admin:orders_purchaseorder_change", args=[order.pk])


def post_action(client, action, order, **extra):
    return client.post(CHANGELIST, {"action": action, helpers.ACTION_CHECKBOX_NAME: [order.pk], **extra}, follow=True)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_changelist_lists_orders_awaiting_approval_first_with_pesos_as_chileans_write_them(
        client, approver, waiting_order):
    contact, conversation = contact_with_conversation(name="Otro")
    create(contact, conversation, ("FS-NUEZ-KG", 1))
    client.force_login(approver)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert list(page.context["cl"].result_list)[0].pk == waiting_order.pk
    html = page.content.decode()
    assert "$259.420" in html and "Por aprobar" in html and "<h1>Órdenes de compra</h1>" in html


def test_order_page_reads_like_odoos_form(client, approver, waiting_order, settings):
    Message.objects.create(conversation=waiting_order.conversation, direction="inbound",
                           content="Necesito 20 kilos de almendras", status="received")
    client.force_login(approver)
    html = client.get(order_page(waiting_order)).content.decode()
    page = text_of(html)
    assert f"Solicitud de cotización {waiting_order.odoo_name}" in page and "Café Lastarria" in page
    bar = text_of(html[html.index('<ol class="order-statusbar"'):html.index("</ol>")])
    assert bar.split() == "Borrador Cotización enviada Por aprobar Confirmada Recibida".split()
    assert re.search(r'<li class="current to_approve" aria-current="step">Por aprobar</li>', html)
    lines_table = text_of(html[html.index('id="order-lines"'):html.index('id="order-totals"')])
    assert "Almendra entera sin tostar" in lines_table and "20 kg" in lines_table
    assert "$10.900" in lines_table and "$218.000" in lines_table and "350 kg" in lines_table  # stock on hand
    assert html.index('id="order-lines"') < html.index('id="order-history"')  # lines first, history after
    totals = text_of(html[html.index('id="order-totals"'):html.index("</table>", html.index('id="order-totals"'))])
    assert "Neto $218.000" in totals and "IVA $41.420" in totals and "Total $259.420" in totals
    history = text_of(html[html.index('id="order-history"'):html.index("</ul>", html.index('id="order-history"'))])
    assert "Cotización creada con 1 línea" in history and "Enviada a aprobación · el bot" in history
    assert "{" not in history  # no raw JSON
    assert f'{settings.ODOO_URL}/web#id={waiting_order.odoo_id}&amp;model=purchase.order&amp;view_type=form' in html
    assert "Necesito 20 kilos de almendras" in page
    assert 'id="order-approve"' in html and 'id="order-reject"' in html


def test_unknown_event_kinds_still_read_as_a_sentence(client, approver, waiting_order):
    PurchaseOrderEvent.objects.create(order=waiting_order, actor="user:aprobadora", kind="shipment_booked",
                                      detail={"carrier": "Starken"})
    client.force_login(approver)
    history = text_of(client.get(order_page(waiting_order)).content.decode())
    assert "Shipment booked · aprobadora" in history and "Starken" not in history


def test_the_decision_buttons_are_only_for_approvers(client, django_user_model, waiting_order):
    clerk = django_user_model.objects.create_user("vendedor", password="pw", is_staff=True)
    clerk.groups.add(Group.objects.get(name="Atención"))
    client.force_login(clerk)
    html = client.get(order_page(waiting_order)).content.decode()
    assert "Por aprobar" in html and 'id="order-approve"' not in html and 'id="order-reject"' not in html


def test_approve_from_the_order_page_asks_then_confirms_and_comes_back_to_the_page(
        client, approver, waiting_order, odoo_standin, django_capture_on_commit_callbacks):
    client.force_login(approver)
    asked = post_action(client, "approve_orders", waiting_order, next=order_page(waiting_order)).content.decode()
    assert "¿Aprobar este pedido? Se confirma en Odoo y se le avisa al contacto." in asked
    assert "$259.420" in asked and PurchaseOrder.objects.get().state == "to_approve"  # nothing yet
    with django_capture_on_commit_callbacks(execute=True):  # the contact's notice is told after commit
        done = post_action(client, "approve_orders", waiting_order, confirm="yes", next=order_page(waiting_order))
    assert done.redirect_chain[-1][0] == order_page(waiting_order)
    html = done.content.decode()
    assert "aprobado y confirmado en Odoo; se le avisó al contacto" in html
    assert 'aria-current="step">Confirmada</li>' in html and 'id="order-approve"' not in html
    assert "Aprobada y confirmada en Odoo · aprobadora" in text_of(html)
    order = PurchaseOrder.objects.get()
    assert (order.state, order.approved_by, order.odoo_state) == ("confirmed", approver, "purchase")
    assert odoo_standin.state.tables["purchase.order"][order.odoo_id]["state"] == "purchase"
    assert Message.objects.filter(conversation=order.conversation, content__contains="fue aprobado").exists()


def test_reject_asks_for_the_reason_the_contact_reads(client, approver, waiting_order, odoo_standin,
                                                      django_capture_on_commit_callbacks):
    client.force_login(approver)
    asked = post_action(client, "reject_orders", waiting_order).content.decode()
    assert "el contacto lee tu motivo" in asked and 'name="reason"' in asked
    missing = post_action(client, "reject_orders", waiting_order, confirm="yes", reason="  ").content.decode()
    assert "Escribe el motivo" in missing and PurchaseOrder.objects.get().state == "to_approve"
    with django_capture_on_commit_callbacks(execute=True):
        page = post_action(client, "reject_orders", waiting_order, confirm="yes", reason="Sin stock del proveedor",
                           next=order_page(waiting_order))
    html = page.content.decode()
    assert "rechazado y anulado en Odoo" in html and "«Sin stock del proveedor»" in html
    assert 'aria-current="step">Cancelada</li>' in html
    order = PurchaseOrder.objects.get()
    assert (order.state, order.rejected_by, order.decision_reason) == ("cancelled", approver, "Sin stock del proveedor")
    assert odoo_standin.state.tables["purchase.order"][order.odoo_id]["state"] == "cancel"
    notice = Message.objects.get(conversation=order.conversation, content__contains="no fue aprobado")
    assert "Sin stock del proveedor" in notice.content


def test_the_list_action_returns_to_the_list(client, approver, waiting_order):
    client.force_login(approver)
    done = post_action(client, "approve_orders", waiting_order, confirm="yes")
    assert done.redirect_chain[-1][0] == CHANGELIST
    assert "aprobado y confirmado en Odoo" in done.content.decode()


def test_a_foreign_next_address_is_ignored(client, approver, waiting_order):
    client.force_login(approver)
    done = post_action(client, "approve_orders", waiting_order, confirm="yes", next="https://evil.example/")
    assert done.redirect_chain[-1][0] == CHANGELIST


def test_odoo_unreachable_during_approval_is_reported_and_recorded(client, approver, waiting_order, odoo_standin, settings):
    settings.ODOO_RETRY_ATTEMPTS = 1
    odoo_standin.down()
    client.force_login(approver)
    page = post_action(client, "approve_orders", waiting_order, confirm="yes", next=order_page(waiting_order))
    html = page.content.decode()
    assert "no se pudo conectar con Odoo" in html and "llega a Odoo apenas responda" in html
    assert "Odoo no respondió (Aprobar en Odoo); se vuelve a intentar" in text_of(html)
    assert PurchaseOrder.objects.get().state == "to_approve"
    assert PurchaseOrderEvent.objects.filter(kind="odoo_delayed", detail__command="approve").exists()
    assert OdooCommand.objects.get(kind="approve", actor="user:aprobadora").state == "pending"  # the sweeper retries


def test_staff_without_the_approve_permission_cannot_approve(client, django_user_model, waiting_order):
    clerk = django_user_model.objects.create_user("vendedor", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_purchaseorder"))
    client.force_login(clerk)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "approve_orders" not in page.content.decode()
    post_action(client, "approve_orders", waiting_order, confirm="yes")
    assert PurchaseOrder.objects.get().state == "to_approve"
    with pytest.raises(services.ApprovalDenied):
        services.purchase_order_approve(order_id=waiting_order.pk, user=clerk)


def test_an_order_no_longer_waiting_is_reported_in_words(client, approver, waiting_order):
    client.force_login(approver)
    post_action(client, "approve_orders", waiting_order, confirm="yes")
    again = post_action(client, "approve_orders", waiting_order, confirm="yes").content.decode()
    assert "ya no está por aprobar (ahora: Confirmada)" in again


def test_login_over_http_then_approve(client, approver, waiting_order):
    assert client.post(reverse("admin:login"), {"username": "aprobadora", "password": "pw-aprobadora",
                                                "next": CHANGELIST}).status_code == 302
    page = post_action(client, "approve_orders", waiting_order, confirm="yes")
    assert "aprobado y confirmado en Odoo" in page.content.decode()


def test_product_list_shows_prices_and_stock_in_chilean_format(client, approver, odoo_standin):
    synced_catalog()
    approver.user_permissions.add(Permission.objects.get(codename="view_product"))
    client.force_login(approver)
    html = client.get(reverse("admin:orders_product_changelist")).content.decode()
    assert "$10.900" in html and "10900,00" not in html and "350" in html
