"""How the purchase lane words a quote, a date and what has arrived, in each order mode."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from agents.lanes.purchase import texts
from orders.services import LineSummary

SANTIAGO = ZoneInfo("America/Santiago")
NOW = dt.datetime(2026, 12, 9, 15, 0, tzinfo=SANTIAGO)  # a Wednesday


def line(name="Harina integral saco 25 kg", uom="Saco 25 kg", qty="4", price="21500", available="45", **extra):
    qty, price = Decimal(qty), Decimal(price)
    return LineSummary(product_code="HA-INTEG-25", product_name=name, quantity=qty, uom=uom, unit_price=price,
                       subtotal=qty * price, qty_available=Decimal(available), available=Decimal(available), **extra)


def test_a_quote_line_names_the_product_once_with_its_pack():
    assert texts.line_text(line()) == "• 4 sacos 25 kg Harina integral × $21.500 = $86.000"
    assert texts.line_text(line(name="Aceite de maravilla 1 L", uom="Caja x12", qty="3", price="23900")) == (
        "• 3 cajas x12 Aceite de maravilla 1 L × $23.900 = $71.700")
    assert texts.line_text(line(name="Almendra entera sin tostar", uom="kg", qty="20", price="10900")) == (
        "• 20 kg Almendra entera sin tostar × $10.900 = $218.000")


def test_odoos_discount_shows_beside_its_price():
    discounted = LineSummary(product_code="FS-ALM-KG", product_name="Almendra entera sin tostar",
                             quantity=Decimal(10), uom="kg", unit_price=Decimal(13900), subtotal=Decimal(132050),
                             qty_available=Decimal(350), available=Decimal(310), discount=Decimal(5))
    assert texts.line_text(discounted) == "• 10 kg Almendra entera sin tostar × $13.900 −5% = $132.050"


@pytest.mark.parametrize("mode,note", [("purchase", " (en bodega: 45 sacos 25 kg)"),
                                       ("sale", " ⚠ disponible hoy: 45 sacos 25 kg")])
def test_a_line_above_stock_says_so_in_either_mode(settings, mode, note):
    settings.ODOO_ORDER_MODEL = mode
    assert texts.line_text(line(qty="50")).endswith(note)
    assert texts.line_text(line(qty="45")).endswith("= $967.500")  # exactly what there is: nothing to say


def test_in_sale_mode_a_short_line_is_asked_about_unless_the_contact_chose_to_wait(settings):
    settings.ODOO_ORDER_MODEL = "sale"
    short, waits = line(qty="50"), line(qty="50", wait_for_stock=True)
    question, options = texts.stock_question(short)
    assert question.startswith("De Harina integral saco 25 kg tenemos 45 sacos 25 kg disponibles hoy y pediste 50")
    assert [o["title"] for o in options] == ["Lo disponible ahora", "Todo más adelante"]
    assert texts.line_text(waits).endswith("(disponible hoy: 45 sacos 25 kg; el resto, más adelante)")
    none_left = line(qty="5", available="0")
    assert [o["value"] for o in texts.stock_question(none_left)[1]] == ["stock_later", "stock_drop"]
    settings.ODOO_ORDER_MODEL = "purchase"
    assert texts.short_lines(type("Quote", (), {"lines": (short,)})()) == []  # informational only


@pytest.mark.parametrize("when,said", [
    (dt.datetime(2026, 12, 10, 18, 0, tzinfo=dt.timezone.utc), "mañana, jueves 10 de diciembre"),
    (dt.datetime(2026, 12, 9, 23, 30, tzinfo=SANTIAGO), "hoy, miércoles 9 de diciembre"),
    # 02:00 UTC on the 12th is still the 11th in Santiago
    (dt.datetime(2026, 12, 12, 2, 0, tzinfo=dt.timezone.utc), "el viernes 11 de diciembre"),
    (dt.datetime(2027, 1, 4, 15, 0, tzinfo=dt.timezone.utc), "el lunes 4 de enero de 2027"),
])
def test_dates_read_as_a_person_says_them_in_santiago(when, said):
    assert texts.day(when, now=NOW) == said


def test_what_arrived_is_told_per_line(settings):
    lines = [{"name": "Almendra entera sin tostar", "uom": "kg", "ordered": "100", "done": "60"},
             {"name": "Quinoa blanca lavada", "uom": "kg", "ordered": "20", "done": "20"},
             {"name": "Chía", "uom": "kg", "ordered": "5", "done": "0"}]
    parts = texts.done_parts(lines)
    assert parts == "60 de 100 kg de Almendra entera sin tostar y los 20 kg de Quinoa blanca lavada"
    assert texts.text("partially_done", name="P00012", parts=parts) == (
        f"Tu pedido P00012: llegaron {parts}; el resto sigue pendiente.")
    settings.ODOO_ORDER_MODEL = "sale"
    assert texts.text("partially_done", name="S00012", parts=parts).startswith("Tu pedido S00012: te entregamos 60")
