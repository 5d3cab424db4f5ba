"""Above the threshold the order waits for staff; approval and rejection happen in the admin over HTTP."""

from orders.models import PurchaseOrder, PurchaseOrderEvent
from tests.e2e.conftest import admin_decide, admin_login
from tests.fakes.slack import fake_slack  # noqa: F401


def quoted(shop, contact):
    contact.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    [odoo_order] = shop.odoo_orders()
    return odoo_order


def test_over_the_threshold_staff_approve_in_the_admin_and_the_contact_is_told(shop, approver, client, fake_slack):
    ana = shop.contact()
    odoo_order = quoted(shop, ana)
    [review] = ana.texts("sí, confirmo")
    assert review.startswith(f"Gracias. Tu pedido {odoo_order['name']} por $") and "en revisión" in review
    order = PurchaseOrder.objects.get()
    assert order.state == "to_approve" and shop.odoo_orders()[0]["state"] == "sent"  # the quote reached her
    [slack] = fake_slack.messages
    assert odoo_order["name"] in slack["text"] and "espera aprobación" in slack["text"]

    admin_login(client, approver)
    assert "approved and confirmed in Odoo" in admin_decide(client, order.pk, "approve_orders")
    assert shop.odoo_orders()[0]["state"] == "purchase"
    [notice] = ana.new_messages()
    assert notice["content"].startswith(f"¡Buenas noticias! Tu pedido {odoo_order['name']}")
    order.refresh_from_db()
    assert order.state == "confirmed" and order.approved_by == approver


def test_rejected_in_the_admin_cancels_in_odoo_and_tells_the_contact_why(shop, approver, client):
    ana = shop.contact()
    odoo_order = quoted(shop, ana)
    ana.says("Confirmar")
    order = PurchaseOrder.objects.get()
    assert order.state == "to_approve"

    admin_login(client, approver)
    assert "rejected and cancelled in Odoo" in admin_decide(client, order.pk, "reject_orders",
                                                            reason="precio fuera de presupuesto")
    assert shop.odoo_orders()[0]["state"] == "cancel"
    [notice] = ana.new_messages()
    assert f"tu pedido {odoo_order['name']} no fue aprobado" in notice["content"]
    assert "precio fuera de presupuesto" in notice["content"]
    assert PurchaseOrderEvent.objects.filter(order=order, kind="transition", after="cancelled",
                                             actor="user:aprobador").exists()


def test_odoo_own_two_step_approval_is_followed(shop, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000  # ours would confirm; Odoo's own rule says otherwise
    shop.odoo.state.set_double_validation(amount=100_000)
    ana = shop.contact()
    odoo_order = quoted(shop, ana)
    [review] = ana.texts("sí")
    assert "en revisión" in review
    assert shop.odoo_orders()[0]["state"] == "to approve"
    order = PurchaseOrder.objects.get()
    assert order.state == "to_approve" and order.odoo_name == odoo_order["name"]
