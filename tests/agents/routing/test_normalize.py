"""Normalisation the whole router relies on: numbers that are not amounts become placeholders, Portuguese chat words
become Spanish. Checked through what a user sees: the order lines read from the message."""

import pytest

from agents.routing.normalize import normalize
from agents.routing.rules import route_by_rules


def _lines(text, catalog, state=None):
    decision = route_by_rules(text, order_state=state, catalog=catalog)
    return [(item.product_code, item.quantity) for item in decision.items]


@pytest.mark.parametrize(
    "text, placeholder",
    [
        ("mi celular es +56 9 7123 4567", "zphone"),
        ("llámenme al 9 7123 4567", "zphone"),
        ("la factura a pagos@panaderia.cl", "zemail"),
        ("a nombre del rut 76.123.456-k", "zrut"),
        ("sobre la cotización N° 2210", "zref"),
        ("¿cuándo llega la OC 88123?", "zref"),
        ("el despacho cuesta $4.990", "zmoney"),
        ("gratis sobre 60 mil", "zmoney"),
        ("reciben entre las 9 y las 12", "ztime"),
        ("llegó a las 21:30", "ztime"),
        ("¿abren el 18 de septiembre?", "zdate"),
        ("llevo 3 semanas esperando", "zspan"),
    ],
)
def test_numbers_that_are_not_amounts_become_placeholders(text, placeholder):
    assert placeholder in normalize(text).split()


def test_a_signature_phone_number_and_a_quote_number_are_not_order_lines(catalog):
    text = "Estimados, por la cotización N° 3321: 4 kg de pasas y 2 kg de merkén.\nSaludos,\nIgnacio\n+56 2 2987 6543"
    assert _lines(text, catalog) == [("PAS-FLA-KG", 4), ("MER-AHU-KG", 2)]


def test_fractions_and_thousands_stay_quantities(catalog):
    assert _lines("1/2 kilo de merkén y 1.000 kg de poroto negro", catalog) == [("MER-AHU-KG", 0.5), ("POR-NEG-KG", 1000)]


def test_portuguese_order_lines_are_read_like_spanish(catalog):
    assert _lines("quero 3 quilos de lenteja e meio quilo de pistacho", catalog) == [("LEN-CAS-KG", 3), ("PIS-TOS-KG", 0.5)]
    assert normalize("obrigada pela atenção") == "gracias por la atencion"
