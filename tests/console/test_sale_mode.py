"""The staff screens with ODOO_ORDER_MODEL=sale: the playground takes a customer's quotation, the admin lists sales
orders and the sellable catalog, the order page and the dashboard render a sales order."""

from __future__ import annotations

import pytest

from orders.catalog_sync import catalog_sync
from orders.models import PurchaseOrder
from tests.console.test_playground import _fast_passwords, phone, staff  # noqa: F401  (fixtures)
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401
from tests.fakes.odoo import make_odoo_standin  # noqa: F401


@pytest.fixture
def sale_phone(phone, make_odoo_standin, settings):  # noqa: F811
    make_odoo_standin(version=18, protocol="jsonrpc", mode="sale")
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000
    catalog_sync()
    return phone


def test_the_playground_takes_a_quotation_priced_by_odoo(sale_phone):
    sale_phone.send("Necesito 20 kilos de almendras y 10 kg de quinoa")
    quote = sale_phone.bot_replies()[-1]
    order = PurchaseOrder.objects.get()
    assert quote["content"].startswith(f"Cotización {order.odoo_name} creada:") and order.odoo_name.startswith("S")
    assert "• 20 kg Almendra entera sin tostar × $13.900 = $278.000" in quote["content"]
    sale_phone.send(quote["options"][0]["title"])
    order.refresh_from_db()
    assert (order.state, order.odoo_state) == ("confirmed", "sale")
    assert sale_phone.bot_replies()[-1]["content"].startswith(f"¡Listo! Tu pedido {order.odoo_name}")


def test_the_admin_and_the_dashboard_show_sales_orders(sale_phone, client, django_user_model):
    sale_phone.send("Necesito 20 kilos de almendras y 10 kg de quinoa")
    order = PurchaseOrder.objects.get()
    client.force_login(django_user_model.objects.create_superuser("jefa", password="pw"))
    listing = client.get("/admin/orders/purchaseorder/")
    assert listing.status_code == 200 and "<h1>Pedidos de venta</h1>" in listing.content.decode()
    assert order.odoo_name in listing.content.decode()
    page = client.get(f"/admin/orders/purchaseorder/{order.pk}/change/")
    assert page.status_code == 200 and f"Cotización {order.odoo_name}" in page.content.decode()  # Odoo's word
    assert "model=sale.order" in page.content.decode()  # the link opens the order in Odoo's sales app
    catalog = client.get("/admin/orders/product/").content.decode()
    assert "Merkén ahumado" in catalog  # own production: sold, never bought
    assert "Aceite de coco orgánico a granel" not in catalog  # bought in bulk, never sold
    assert client.get("/admin/dashboard/").status_code == 200
