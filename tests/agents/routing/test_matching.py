import pytest


@pytest.mark.parametrize(
    "words, code",
    [
        ("pasas flame", "PAS-FLA-KG"),
        ("pasa", "PAS-FLA-KG"),
        ("garbanzos", "GAR-SEC-25"),
        ("lentejas castellanas", "LEN-CAS-KG"),
        ("arros integral", "ARR-INT-KG"),  # typo
        ("pistachos tostados", "PIS-TOS-KG"),
        ("aceite maravilla", "ACE-MAR-5L"),
        ("porotos negros", "POR-NEG-KG"),
        ("black beans", "POR-NEG-KG"),  # English
        ("green tea", "TE-VER-CJ20"),
        ("merken", "MER-AHU-KG"),
    ],
)
def test_clear_winner_is_matched(catalog, words, code):
    result = catalog.matcher.match(words)
    assert result.product_code == code
    assert not result.ambiguous
    assert result.candidates[0].product_code == code
    assert result.score >= 0.5


def test_close_call_is_ambiguous_with_up_to_three_candidates(catalog):
    result = catalog.matcher.match("sal")
    assert result.product_code is None
    assert result.ambiguous
    assert {c.product_code for c in result.candidates} == {"SAL-MAR-KG", "SAL-ROS-KG"}
    assert len(result.candidates) <= 3
    assert abs(result.candidates[0].score - result.candidates[1].score) < 0.08


def test_ambiguous_between_two_oils(catalog):
    result = catalog.matcher.match("aceite")
    assert result.ambiguous
    assert {c.product_code for c in result.candidates} == {"ACE-MAR-5L", "ACE-COCO-1L"}


def test_head_noun_decides_between_products_sharing_a_word(catalog):
    # "almendra" alone is the almond product, not the almond milk or almond butter
    assert catalog.matcher.match("almendras").product_code == "ALM-LAM-KG"


def test_unknown_product_has_no_code_but_shows_nearest_alternatives(catalog):
    result = catalog.matcher.match("leche de soya")
    assert result.product_code is None
    assert not result.ambiguous
    assert result.candidates and result.candidates[0].product_code == "LEC-ALM-CJ6"


def test_words_unrelated_to_any_product_match_nothing(catalog):
    result = catalog.matcher.match("tengo un almacen en temuco")
    assert result.product_code is None
    assert result.candidates == []


def test_a_description_the_catalog_does_not_know_does_not_hide_the_product(catalog):
    assert catalog.matcher.match("pistachos bien frescos").product_code == "PIS-TOS-KG"
    assert catalog.matcher.match("merkén bien picante").product_code == "MER-AHU-KG"
    assert catalog.matcher.match("leche de soya").product_code is None  # another kind of milk, not ours


def test_an_order_verb_with_a_pronoun_is_not_a_product_word(catalog):
    assert catalog.matcher.match("las pasas bájalas").product_code == "PAS-FLA-KG"
