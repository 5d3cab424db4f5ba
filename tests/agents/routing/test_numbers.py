"""Spelled numbers and quantity words as a customer writes them."""

import pytest

from agents.routing.normalize import normalize
from agents.routing.numbers import spelled_number
from agents.routing.quantities import find_mentions


def _quantities(text: str) -> list[tuple[float, str | None]]:
    return [(m.value, m.unit) for m in find_mentions(normalize(text).split()) if not m.weak]


@pytest.mark.parametrize(
    "words, value",
    [
        ("treinta y cinco", 35), ("ciento veinte", 120), ("mil doscientos cincuenta", 1250),
        ("veintidós", 22), ("dieciséis", 16), ("doscientas", 200), ("dos mil quinientos", 2500), ("cien", 100),
        ("twenty", 20),
    ],
)
def test_spelled_numbers_are_read_whole(words, value):
    tokens = normalize(words).split()
    assert spelled_number(tokens, 0) == (value, len(tokens))


def test_a_number_stops_where_the_words_stop_being_a_number():
    tokens = normalize("dos mil y medio kilo").split()
    assert spelled_number(tokens, 0) == (2000, 2)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("kilo y medio de nueces", [(1.5, "kg")]),
        ("medio kilo de cacao", [(0.5, "kg")]),
        ("un cuarto de kilo de merkén", [(0.25, "kg")]),
        ("tres cuartos de kilo", [(0.75, "kg")]),
        ("una docena de frascos", [(12, "unit")]),
        ("una docena y media de frascos", [(18, "unit")]),
        ("media docena de huevos", [(6, "unit")]),
        ("un par de cajas", [(2, "caja")]),
        ("dos kilos y medio", [(2.5, "kg")]),
        ("dos y medio kilos", [(2.5, "kg")]),
        ("veinticinco sacos", [(25, "saco")]),
        ("1/2 kilo", [(0.5, "kg")]),
        ("2,5 kg", [(2.5, "kg")]),
        ("1.000 unidades", [(1000, "unit")]),
        ("a box of tea", [(1, "caja")]),
    ],
)
def test_quantity_words(text, expected):
    assert _quantities(text) == expected


def test_a_pronoun_or_another_counts_like_a_number():
    assert _quantities("dos sacos de avena y uno de harina") == [(2, "saco"), (1, None)]
    assert _quantities("una docena de aceite de oliva y otra de coco") == [(12, "unit"), (12, "unit")]


def test_an_article_before_a_product_is_not_a_quantity_of_its_own():
    assert _quantities("quiero una miel") == []
    assert _quantities("hablar con una persona") == []
