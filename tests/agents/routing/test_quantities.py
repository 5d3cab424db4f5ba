import pytest

from agents.routing.normalize import detect_language, normalize
from agents.routing.quantities import find_mentions
from agents.routing.units import convert, purchase_unit


def _mentions(text):
    return [(m.value, m.unit) for m in find_mentions(normalize(text).split()) if not m.negated]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("100kg", [(100, "kg")]),
        ("cien kilos", [(100, "kg")]),
        ("media docena", [(6, "unit")]),
        ("2,5 kg", [(2.5, "kg")]),
        ("3 cajas", [(3, "caja")]),
        ("un saco", [(1, "saco")]),
        ("una docena", [(12, "unit")]),
        ("1.5", [(1.5, None)]),
        ("veinte", [(20, None)]),
        ("1.000 kilos", [(1000, "kg")]),
        ("treinta y cinco kls", [(35, "kg")]),
        ("ciento veinte litros", [(120, "l")]),
        ("dos mil gramos", [(2000, "g")]),
        ("un kilo y medio", [(1.5, "kg")]),
        ("medio kilo", [(0.5, "kg")]),
        ("un par de bolsas", [(2, "unit")]),
        ("dos docenas de frascos", [(24, "unit")]),
        ("250k", [(250, "kg")]),
        ("a couple of boxes", [(2, "caja")]),
        ("twelve bottles", [(12, "unit")]),
        ("1/2 kilo", [(0.5, "kg")]),
        ("dos y medio kilos", [(2.5, "kg")]),
        ("3 y media cajas", [(3.5, "caja")]),
    ],
)
def test_quantity_and_unit_are_read(text, expected):
    assert _mentions(text) == expected


@pytest.mark.parametrize(
    "text, kept",
    [
        ("no eran 30 eran 40", [40]),
        ("en vez de 2 sacos pon 4", [4]),
        ("cambialo de 10 a 15 kilos", [15]),
        ("instead of 6 make it 9", [9]),
    ],
)
def test_old_values_in_a_correction_are_marked_negated(text, kept):
    assert [value for value, _ in _mentions(text)] == kept


@pytest.mark.parametrize(
    "raw, normal",
    [
        ("Wenaaas, kiero 5 kls d kinoa xfa", "buenas , quiero 5 kilos de quinoa por favor"),
        ("Holaaa q tal", "hola que tal"),
        ("ya po, cachai", "ya ,"),
        ("¿Tienen AZÚCAR?", "tienen azucar ?"),
    ],
)
def test_normalisation_handles_accents_slang_and_elongation(raw, normal):
    assert normalize(raw) == normal


@pytest.mark.parametrize(
    "uom, name, quantity, unit, expected",
    [
        ("kg", "Poroto negro", 500, "g", 0.5),
        ("Saco 25 kg", "Garbanzo seco saco 25 kg", 75, "kg", 3),
        ("Saco 25 kg", "Garbanzo seco saco 25 kg", 2, "saco", 2),
        ("Caja x12", "Mantequilla de almendra 250 g", 36, "unit", 3),
        ("Caja x6", "Leche de almendra 1 L", 12, "l", 2),
        ("Unidades", "Miel de quillay 500 g", 3, "kg", 6),
        ("Unidades", "Aceite de maravilla 5 L", 4, None, 4),
        ("L", "Vinagre", 1500, "ml", 1.5),
    ],
)
def test_quantities_are_converted_to_the_product_purchase_unit(uom, name, quantity, unit, expected):
    assert convert(quantity, unit, purchase_unit(uom, name)) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text, language",
    [
        ("could you send me two boxes of green tea", "en"),
        ("me mandan dos cajas de té verde", "es"),
        ("where are you located?", "en"),
        ("ok", "es"),
    ],
)
def test_language_is_detected(text, language):
    assert detect_language(normalize(text)) == language
