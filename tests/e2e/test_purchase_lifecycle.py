"""Cancel, status and the receipt notice."""

from orders.models import PurchaseOrder
from orders.tasks import watch_orders as watch_receipts


def confirmed_order(shop, contact, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000
    contact.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    contact.says("sí, confirmo")
    [odoo_order] = shop.odoo_orders()
    assert odoo_order["state"] == "purchase"
    return odoo_order


def test_the_contact_cancels_the_quote_and_odoo_cancels_it(shop):
    ana = shop.contact()
    ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    [odoo_order] = shop.odoo_orders()
    [reply] = ana.texts("Cancelar")
    assert reply == f"Listo, cancelamos tu pedido {odoo_order['name']}. Si necesitas algo más, escríbenos."
    assert shop.odoo_orders()[0]["state"] == "cancel"
    assert PurchaseOrder.objects.get().state == "cancelled"
    [reply] = ana.texts("cancela el pedido")
    assert reply == "No tienes pedidos activos para cancelar."


def test_status_comes_from_odoo_and_the_receipt_is_noticed_once(shop, settings):
    ana = shop.contact()
    odoo_order = confirmed_order(shop, ana, settings)
    [status] = ana.texts("¿cómo va mi pedido?")
    assert status.startswith(f"Tu pedido {odoo_order['name']} por $") and "aún no llega a bodega" in status

    shop.odoo.state.receive(odoo_order["id"])  # the warehouse validates the receipt in Odoo
    assert watch_receipts()["received"] == 1
    assert watch_receipts()["received"] == 0
    [notice] = ana.new_messages()
    assert notice["content"] == f"Tu pedido {odoo_order['name']} ya fue recibido en bodega. ¡Gracias por tu compra!"
    assert PurchaseOrder.objects.get().state == "received"
    [status] = ana.texts("¿cómo va mi pedido?")
    assert status == f"Tu pedido {odoo_order['name']} ya fue recibido en bodega."


def test_status_notices_a_receipt_the_schedule_has_not_seen_yet(shop, settings):
    ana = shop.contact()
    odoo_order = confirmed_order(shop, ana, settings)
    shop.odoo.state.receive(odoo_order["id"])
    [notice] = ana.says("¿llegó mi pedido?")
    assert notice["content"].startswith(f"Tu pedido {odoo_order['name']} ya fue recibido en bodega")
    assert PurchaseOrder.objects.get().state == "received"


def test_an_order_approved_directly_in_odoo_is_told_to_the_contact_once(shop, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 1  # everything waits for staff
    ana = shop.contact()
    ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    ana.says("sí, confirmo")
    order = PurchaseOrder.objects.get()
    assert order.state == "to_approve"

    shop.odoo.state.tables["purchase.order"][order.odoo_id]["state"] = "purchase"  # a manager approves in Odoo
    watch_receipts()
    watch_receipts()
    [notice] = ana.new_messages()
    assert notice["content"].startswith(f"¡Buenas noticias! Tu pedido {order.odoo_name}")
    assert PurchaseOrder.objects.get().state == "confirmed"


def test_a_quote_cancelled_in_odoo_is_told_to_the_contact(shop):
    ana = shop.contact()
    ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    order = PurchaseOrder.objects.get()
    shop.odoo.state.tables["purchase.order"][order.odoo_id]["state"] = "cancel"
    watch_receipts()
    [notice] = ana.new_messages()
    assert notice["content"] == f"Tu pedido {order.odoo_name} fue anulado por nuestro equipo. Si quieres, podemos armar uno nuevo."
    assert PurchaseOrder.objects.get().state == "cancelled"


def test_the_receipts_sweep_leaves_quoted_and_waiting_orders_where_they_are(shop, settings):
    # Odoo keeps both RFQs in 'draft' while we quote them or wait for our own approval: not a step back.
    settings.ORDER_APPROVAL_THRESHOLD = 1
    ana, luis = shop.contact(), shop.contact(name="Luis", phone="+56933334444")
    ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    ana.says("sí, confirmo")
    luis.says("quiero 10 kg de quinoa")
    watch_receipts()
    states = dict(PurchaseOrder.objects.values_list("contact__name", "state"))
    assert states == {"Almacén Las Lilas": "to_approve", "Luis": "sent"}
