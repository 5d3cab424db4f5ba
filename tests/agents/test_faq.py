import pytest

from agents.faq import faq_match, render_answer
from agents.models import FAQ

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text, key", [
    ("¿a qué hora abren?", "horarios"),
    ("hola buenas, a q hora abren po", "horarios"),
    ("Horarios", "horarios"),
    ("hacen despacho a regiones?", "despacho"),
    ("cuales son los medios de pago", "medios-de-pago"),
    ("donde estan ubicados?", "direccion"),
    ("hay pedido minimo?", "pedido-minimo"),
    ("necesito factura", "facturacion"),
    ("puedo devolver un producto?", "devoluciones"),
])
def test_seeded_faqs_match_common_questions(faqs, text, key):
    match = faq_match(text)
    assert match is not None and match.faq.key == key


@pytest.mark.parametrize("text", ["asdfgh", "quiero 10 kilos de almendras", "gracias"])
def test_unrelated_text_matches_no_faq(faqs, text):
    assert faq_match(text) is None


def test_inactive_faqs_are_not_used(faqs):
    FAQ.objects.filter(key="horarios").update(active=False)
    match = faq_match("¿a qué hora abren?")
    assert match is None or match.faq.key != "horarios"


def test_answers_fill_in_the_real_hours(faqs, settings):
    settings.BUSINESS_HOURS = {"mon": ["08:30", "19:00"], "tue": None, "wed": None, "thu": None, "fri": None,
                               "sat": None, "sun": None}
    text = render_answer(FAQ.objects.get(key="horarios"), language="es")
    assert "lunes de 08:30 a 19:00" in text and "{" not in text


def test_a_stray_brace_typed_by_staff_is_shown_as_written(faqs):
    faq = FAQ.objects.create(key="x", title="X", variants=["x"], answer="Precio {sin cerrar")
    assert render_answer(faq) == "Precio {sin cerrar"
