"""`manage.py demo` plays the whole conversation against its own in-process stand-ins and real HTTP."""

import logging

import pytest
from django.core.management import call_command
from django.db import connection

from orders.models import PurchaseOrder

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The demo serves the app in a thread: the in-memory SQLite test database cannot take its concurrent writers.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers (PostgreSQL)"),
]


def test_demo_plays_the_conversation_and_prints_the_confirmed_order(capsys, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 0
    settings.OPENAI_API_KEY = ""
    # `settings` (the fixture) is active, so what the demo sets on django.conf.settings is dropped afterwards.
    try:
        call_command("demo")
    finally:
        logging.disable(logging.NOTSET)
    out = capsys.readouterr().out
    assert "Cliente: Necesito 100kg aceite de coco y 20 kilos de almendras" in out
    assert "Bot:     Cotización P" in out and "[Confirmar] [Modificar] [Cancelar]" in out
    assert "estado Odoo: purchase  (local: confirmed)" in out
    assert "150 × Aceite de coco orgánico a granel @ $6.890 = $1.033.500" in out
    assert out.rstrip().endswith("Demo OK")
    assert PurchaseOrder.objects.get().state == "confirmed"


def test_demo_in_sale_mode_plays_a_customer_quotation_and_prints_the_sales_order(capsys, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 0
    settings.OPENAI_API_KEY = ""
    try:
        call_command("demo", model="sale")
    finally:
        logging.disable(logging.NOTSET)
    out = capsys.readouterr().out
    assert "=== Conversación (cliente, cotización) ===" in out
    assert "Bot:     Cotización S" in out and "[Confirmar] [Modificar] [Cancelar]" in out
    assert "=== Pedido de venta en Odoo (sale.order) ===" in out
    assert "estado Odoo: sale  (local: confirmed)" in out
    assert "30 × Almendra entera sin tostar @ $13.900 = $417.000" in out  # the list price: a new customer
    assert out.rstrip().endswith("Demo OK")
    order = PurchaseOrder.objects.get()
    assert order.state == "confirmed" and order.odoo_state == "sale"
