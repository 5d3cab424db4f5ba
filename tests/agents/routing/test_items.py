"""Order lines from whole messages: lists, run-ons, pack sizes, swaps, corrections, greetings and signatures.
Uses the test catalog (conftest), not the shared dev catalog."""

from agents.routing.catalog import Catalog, CatalogEntry
from agents.routing.clauses import request_text, split_clauses
from agents.routing.rules import route_by_rules


def _lines(text, catalog, state=None):
    decision = route_by_rules(text, order_state=state, catalog=catalog)
    return decision.intent, [(item.product_code, item.quantity) for item in decision.items]


def test_lists_split_on_newlines_and_bullets(catalog):
    text = "Pedido:\n- 3 kg pasas\n- 2 kg almendra laminada\n• 5 kg poroto negro"
    assert _lines(text, catalog) == (
        "order_create", [("PAS-FLA-KG", 3), ("ALM-LAM-KG", 2), ("POR-NEG-KG", 5)]
    )


def test_numbered_list_markers_are_not_quantities(catalog):
    text = "1) pasas 20 kilos\n2) lenteja castellana 5 kilos"
    assert _lines(text, catalog)[1] == [("PAS-FLA-KG", 20), ("LEN-CAS-KG", 5)]


def test_a_voice_note_run_on_without_commas_gives_one_line_per_quantity(catalog):
    text = "hola sí mira necesito tres kilos de pasas dos de merkén y cuatro de lentejas eso sería"
    assert _lines(text, catalog)[1] == [("PAS-FLA-KG", 3), ("MER-AHU-KG", 2), ("LEN-CAS-KG", 4)]


def test_product_first_run_on(catalog):
    assert _lines("pistacho 2 kilos arroz integral 10 kilos", catalog)[1] == [("PIS-TOS-KG", 2), ("ARR-INT-KG", 10)]


def test_pack_size_is_not_the_quantity(catalog):
    assert _lines("necesito 2 de los de 25 kg de garbanzos", catalog)[1] == [("GAR-SEC-25", 2)]
    assert _lines("4 sacos de 25 kg de garbanzo", catalog)[1] == [("GAR-SEC-25", 4)]
    assert _lines("quiero 50 kilos de garbanzos", catalog)[1] == [("GAR-SEC-25", 2)]  # 50 kg is two 25 kg sacks


def test_greeting_and_signature_do_not_dilute_the_product(catalog):
    text = "Buenas tardes,\nnecesito 6 kilos de pan rallado.\nSaludos cordiales,\nJuana Soto\nAlmacén Las Lilas"
    assert _lines(text, catalog) == ("order_create", [("PAN-RAL-KG", 6)])
    assert request_text(text) == "necesito 6 kilos de pan rallado"


def test_swap_removes_the_old_product_and_keeps_the_quantity_said(catalog):
    decision = route_by_rules("cambia las lentejas por poroto negro, los mismos 10 kg", order_state="sent",
                              catalog=catalog)
    assert decision.intent == "order_modify"
    assert [(i.product_code, i.quantity, i.action) for i in decision.items] == [
        ("LEN-CAS-KG", 0, "remove"), ("POR-NEG-KG", 10, "set")
    ]


def test_swap_with_the_same_quantity_says_which_line_it_replaces(catalog):
    decision = route_by_rules("no era pasas, era pistacho, la misma cantidad", order_state="sent", catalog=catalog)
    removal, new = decision.items
    assert (removal.product_code, removal.action) == ("PAS-FLA-KG", "remove")
    assert (new.product_code, new.quantity_missing, new.replaces) == ("PIS-TOS-KG", True, "PAS-FLA-KG")


def test_a_quantity_correction_is_not_a_swap(catalog):
    decision = route_by_rules("en vez de 3 sacos de garbanzos que sean 5", order_state="draft", catalog=catalog)
    assert [(i.product_code, i.quantity) for i in decision.items] == [("GAR-SEC-25", 5)]


def test_a_correction_takes_the_quantity_back(catalog):
    decision = route_by_rules("agrégale 5 kg de merkén, no perdón, 7 kg", order_state="sent", catalog=catalog)
    assert [(i.product_code, i.quantity, i.action) for i in decision.items] == [("MER-AHU-KG", 7, "add")]


def test_removal_and_a_new_quantity_in_one_list(catalog):
    text = "modificar pedido:\n- pasas: 10 kg\n- merkén: quitar\n- pan rallado: 6 kg"
    decision = route_by_rules(text, order_state="sent", catalog=catalog)
    assert [(i.product_code, i.quantity, i.action) for i in decision.items] == [
        ("PAS-FLA-KG", 10, "set"), ("MER-AHU-KG", 0, "remove"), ("PAN-RAL-KG", 6, "set")
    ]


def test_aliases_name_the_product():
    catalog = Catalog([
        CatalogEntry("ACE-MAR-5L", "Aceite de maravilla bidón 5 L", "Unidades", aliases=("aceite vegetal",)),
        CatalogEntry("ACE-COCO-1L", "Aceite de coco orgánico 1 L", "Unidades"),
    ])
    assert _lines("necesito 3 bidones de aceite vegetal", catalog)[1] == [("ACE-MAR-5L", 3)]


def test_a_word_only_one_product_has_is_enough():
    catalog = Catalog([
        CatalogEntry("CAJ-ENT-KG", "Castaña de cajú entera", "kg"),
        CatalogEntry("ALM-ENT-KG", "Almendra entera", "kg"),
    ])
    assert _lines("dos kilos de cajú", catalog)[1] == [("CAJ-ENT-KG", 2)]


def test_clauses_keep_a_question_apart_from_an_order():
    clauses = split_clauses("hola, ¿a qué hora cierran? y anótame 10 kg de nueces")
    assert [(c.text, c.question) for c in clauses] == [("a que hora cierran", True), ("y anotame 10 kg de nueces", False)]
    assert split_clauses("confirmo. Otra cosa, emiten factura")[-1].question


def test_english_swaps_halves_and_bumps(catalog):
    assert _lines("swap the coconut oil for 3 bottles of sunflower oil", catalog, "draft")[1] == [
        ("ACE-COCO-1L", 0), ("ACE-MAR-5L", 3)]
    assert _lines("half a kilo of smoked merken and 2 kg of lentils", catalog)[1] == [("MER-AHU-KG", 0.5),
                                                                                     ("LEN-CAS-KG", 2)]
    assert _lines("bump the raisins up to 6 kg", catalog, "draft")[1] == [("PAS-FLA-KG", 6)]


def test_a_sentence_end_separates_an_order_line_from_a_question(catalog):
    text = "Este mes 2 kg de pasas y 3 de poroto negro. ¿Siguen a 5 lucas el kilo de merkén?"
    assert _lines(text, catalog)[1] == [("PAS-FLA-KG", 2), ("POR-NEG-KG", 3)]
    clauses = split_clauses(text)
    assert [c.question for c in clauses] == [False, True]
    assert split_clauses("La Sra. Paula retira 2 kg de pasas.")[0].text == "la sra paula retira 2 kg de pasas"


def test_a_product_then_no_drops_its_line_and_a_second_product_takes_its_place(catalog):
    decision = route_by_rules("no, las pasas no, el pistacho", order_state="draft", catalog=catalog)
    assert [(i.product_code, i.quantity, i.action, i.replaces) for i in decision.items] == [
        ("PAS-FLA-KG", 0, "remove", None), ("PIS-TOS-KG", 0, "set", "PAS-FLA-KG")]
    assert [(i.product_code, i.action) for i in route_by_rules("el merkén no va", order_state="sent",
                                                                 catalog=catalog).items] == [("MER-AHU-KG", "remove")]


def test_each_and_the_same_again_share_a_quantity(catalog):
    assert _lines("pasas, merkén y lentejas, 2 kilos de cada uno", catalog)[1] == [
        ("PAS-FLA-KG", 2), ("MER-AHU-KG", 2), ("LEN-CAS-KG", 2)]
    assert _lines("5 kg de pistacho y lo mismo de poroto negro", catalog)[1] == [("PIS-TOS-KG", 5), ("POR-NEG-KG", 5)]
