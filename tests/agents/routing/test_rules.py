"""Held-out sentences (not from the shared dev set) routed by the rules against the test catalog."""

import pytest

from agents.routing.rules import route_by_rules


def _route(text, catalog, state=None):
    return route_by_rules(text, order_state=state, catalog=catalog)


@pytest.mark.parametrize(
    "text, state, lane, intent",
    [
        ("wena wena!", None, "info", "greeting"),
        ("Good morning", None, "info", "greeting"),
        ("buenas noches, como esta?", None, "info", "greeting"),
        ("mil gracias por todo", None, "info", "thanks"),
        ("thank you!", "confirmed", "info", "thanks"),
        ("hasta que hora atienden hoy?", None, "info", "faq"),
        ("se puede pagar con tarjeta?", None, "info", "faq"),
        ("cual es la direccion de la bodega", None, "info", "faq"),
        ("do you deliver to Temuco?", None, "info", "faq"),
        ("me das boleta o factura?", None, "info", "faq"),
        ("vendo auto usado buen precio http://spam.example", None, "info", "other"),
        ("jajaja", None, "info", "other"),
        ("cuanto sale el kilo de pistacho?", None, "purchase", "catalog_query"),
        ("tienen lentejas?", None, "purchase", "catalog_query"),
        ("do you have black beans in stock?", None, "purchase", "catalog_query"),
        ("quiero encargar 12 kilos de pasas flame", None, "purchase", "order_create"),
        ("porfa me mandan 2 sacos de garbanzos", None, "purchase", "order_create"),
        ("I would like to order 3 kg of pistachios", None, "purchase", "order_create"),
        ("súmale 2 kilos de lentejas", "sent", "purchase", "order_modify"),
        ("saquen el pan rallado", "draft", "purchase", "order_modify"),
        ("mejor ponle 20 kg de porotos en vez de 10", "sent", "purchase", "order_modify"),
        ("confirmamos la cotización, adelante", "sent", "purchase", "order_confirm"),
        ("ya no lo necesito, anulen todo", "to_approve", "purchase", "order_cancel"),
        ("dónde viene mi pedido? lo necesito hoy", "confirmed", "purchase", "order_status"),
        ("tienen el número de tracking?", "confirmed", "purchase", "order_status"),
        ("llegó todo roto, pésimo", "confirmed", "support", "complaint"),
        ("recibí 5 kilos y había pedido 10", "confirmed", "support", "complaint"),
        ("the box arrived damaged", "confirmed", "support", "complaint"),
        ("me comunicas con un ejecutivo porfa", None, "support", "human_handoff"),
        ("I want to speak with a real person", None, "support", "human_handoff"),
        ("me puede llamar alguien de la empresa?", None, "support", "human_handoff"),
        ("quiero hablar con el dueño", None, "support", "human_handoff"),
        ("el té venía con piedras, muy mala calidad", "confirmed", "support", "complaint"),
        ("pedí lentejas y me mandaron porotos", "confirmed", "support", "complaint"),
        ("me cobraron dos veces la misma factura", None, "support", "complaint"),
        ("alguna novedad de mi pedido?", "confirmed", "purchase", "order_status"),
        ("cuánto falta para que llegue?", "confirmed", "purchase", "order_status"),
        ("any update on my order?", "confirmed", "purchase", "order_status"),
        ("is the green tea available?", None, "purchase", "catalog_query"),
        ("olvídalo, no necesito nada", "sent", "purchase", "order_cancel"),
        ("I'd like to cancel the order please", "to_approve", "purchase", "order_cancel"),
        ("ya no necesito el pedido", "draft", "purchase", "order_cancel"),
        ("ya no necesito las lentejas", "sent", "purchase", "order_modify"),
        ("sí porfa, mándenlo", "sent", "purchase", "order_confirm"),
        ("yes please", "sent", "purchase", "order_confirm"),
        ("👍", "sent", "purchase", "order_confirm"),
        ("👍", None, "info", "other"),
        ("sipo", "sent", "purchase", "order_confirm"),
        ("mmm no, mejor no", "sent", "purchase", "order_cancel"),
        ("las pasas llegaron rancias", None, "support", "complaint"),
        ("me comunica con ventas?", None, "support", "human_handoff"),
        ("quiero que me atienda una persona", None, "support", "human_handoff"),
        ("que onda, como andan", None, "info", "greeting"),
        ("tienen estacionamiento?", None, "info", "faq"),
        ("a que hora llega el camión?", "confirmed", "purchase", "order_status"),
        ("What time do you close?", None, "info", "faq"),
        ("Do you accept credit cards?", None, "info", "faq"),
        ("The raisins arrived spoiled", None, "support", "complaint"),
        ("Where's my order?", "confirmed", "purchase", "order_status"),
        ("anótame también 4 kilos de pasas", "sent", "purchase", "order_modify"),
        ("mejor sácame las lentejas del pedido", "sent", "purchase", "order_modify"),
        ("en qué estado está mi orden?", "to_approve", "purchase", "order_status"),
        ("tienen garbanzos en saco de 25?", None, "purchase", "catalog_query"),
        ("tienen local para ir a comprar?", None, "info", "faq"),
        ("nos llegó la mitad del pedido", "confirmed", "support", "complaint"),
        ("me podrías pasar con alguien de ventas?", None, "support", "human_handoff"),
        ("ponle 5 kilos más de pasas al pedido", "sent", "purchase", "order_modify"),
        ("no quiero seguir con la compra", "draft", "purchase", "order_cancel"),
        ("cuándo me entregan?", "confirmed", "purchase", "order_status"),
        ("me cobraron un saco que no llegó", "confirmed", "support", "complaint"),
        ("yapo dale", "sent", "purchase", "order_confirm"),
        ("no, ya no", "sent", "purchase", "order_cancel"),
        ("hablo con un bot?", None, "support", "human_handoff"),
        ("de las pasas mejor 70", "sent", "purchase", "order_modify"),
        ("de acuerdo, pero agrega 2 kilos de pasas", "sent", "purchase", "order_modify"),
    ],
)
def test_intent_and_lane(catalog, text, state, lane, intent):
    decision = _route(text, catalog, state)
    assert (decision.lane, decision.intent) == (lane, intent), decision.details["scores"]
    assert decision.source == "rules"
    assert 0 < decision.confidence <= 1


@pytest.mark.parametrize("text", ["si", "sí po", "dale", "ok", "listo", "perfecto!", "de acuerdo"])
def test_short_yes_confirms_only_a_waiting_quote(catalog, text):
    assert _route(text, catalog, "sent").intent == "order_confirm"
    for state in (None, "draft", "confirmed", "to_approve"):
        assert _route(text, catalog, state).intent == "other", state


def test_short_no_declines_a_waiting_quote_and_is_other_otherwise(catalog):
    assert _route("nop", catalog, "sent").intent == "order_cancel"
    assert _route("nop", catalog, None).intent == "other"


def test_thanks_wins_over_ok(catalog):
    assert _route("ok, gracias!", catalog, "sent").intent == "thanks"


def _lines(decision):
    return [(i.product_code, i.quantity, i.uom) for i in decision.items]


@pytest.mark.parametrize(
    "text, lines",
    [
        ("necesito 12 kls de pasas flame y 4 de nuez chilena", [("PAS-FLA-KG", 12, "kg"), ("NUE-CHI-KG", 4, "kg")]),
        ("mandame cincuenta kilos de garbanzos", [("GAR-SEC-25", 2, "Saco 25 kg")]),
        ("quiero 36 frascos de mantequilla de almendra", [("MAN-ALM-CJ12", 3, "Caja x12")]),
        ("quiero una docena de miel de quillay", [("MIE-QUI-500", 12, "Unidades")]),
        ("necesito 1,5 kg de merken, 2 de sal de mar y medio kilo de poroto negro",
         [("MER-AHU-KG", 1.5, "kg"), ("SAL-MAR-KG", 2, "kg"), ("POR-NEG-KG", 0.5, "kg")]),
        ("xfa anota 3 bidones de aceite de maravilla", [("ACE-MAR-5L", 3, "Unidades")]),
        ("quiero un saco de garbanzo seco", [("GAR-SEC-25", 1, "Saco 25 kg")]),
        ("te encargo 20 kilitos de porotos negros", [("POR-NEG-KG", 20, "kg")]),
        ("quiero 1/2 kilo de merkén", [("MER-AHU-KG", 0.5, "kg")]),
        ("I need 2 cases of almond milk and 5 kg of brown rice",
         [("LEC-ALM-CJ6", 2, "Caja x6"), ("ARR-INT-KG", 5, "kg")]),
    ],
)
def test_order_lines_with_quantities_resolved_to_the_product_unit(catalog, text, lines):
    decision = _route(text, catalog)
    assert decision.intent == "order_create"
    assert _lines(decision) == lines


def test_modify_actions_set_add_remove(catalog):
    set_ = _route("mejor que sean 30 kg de lentejas", catalog, "sent").items
    add = _route("agrega 2 cajas de té verde", catalog, "sent").items
    remove = _route("quita el pan rallado y cambia las pasas a 8 kilos", catalog, "draft").items
    assert [(i.product_code, i.quantity, i.action) for i in set_] == [("LEN-CAS-KG", 30, "set")]
    assert [(i.product_code, i.quantity, i.action) for i in add] == [("TE-VER-CJ20", 2, "add")]
    assert [(i.product_code, i.quantity, i.action) for i in remove] == [
        ("PAN-RAL-KG", 0, "remove"),
        ("PAS-FLA-KG", 8, "set"),
    ]


def test_yes_followed_by_a_change_is_a_modification(catalog):
    decision = _route("sí, pero agrega 2 kilos de pasas", catalog, "sent")
    assert decision.intent == "order_modify"
    assert [(i.product_code, i.quantity, i.action) for i in decision.items] == [("PAS-FLA-KG", 2, "add")]


def test_remove_verb_is_not_read_as_part_of_the_product(catalog):
    decision = _route("mejor sácame las lentejas del pedido", catalog, "sent")
    assert [(i.product_code, i.quantity, i.action) for i in decision.items] == [("LEN-CAS-KG", 0, "remove")]


def test_trailing_old_value_is_a_correction(catalog):
    decision = _route("al final necesito 60 kilos de lentejas, no 40", catalog, "sent")
    assert decision.intent == "order_modify"
    assert _lines(decision) == [("LEN-CAS-KG", 60, "kg")]


def test_elided_noun_is_taken_from_the_previous_line(catalog):
    decision = _route("5 aceites de maravilla y 5 de coco", catalog)
    assert _lines(decision) == [("ACE-MAR-5L", 5, "Unidades"), ("ACE-COCO-1L", 5, "Unidades")]


def test_bare_number_after_a_comma_completes_the_previous_line(catalog):
    decision = _route("no eran 3 sacos de garbanzo, eran 5", catalog, "sent")
    assert decision.intent == "order_modify"
    assert _lines(decision) == [("GAR-SEC-25", 5, "Saco 25 kg")]


@pytest.mark.parametrize(
    "text", ["sube las pasas a 20 kilos", "las pasas déjalas en 20 kg", "baja las pasas de 30 a 20"]
)
def test_raise_lower_and_leave_at_are_set_modifications(catalog, text):
    decision = _route(text, catalog, "draft")
    assert decision.intent == "order_modify"
    assert [(i.product_code, i.quantity, i.action) for i in decision.items] == [("PAS-FLA-KG", 20, "set")]


def test_quantities_of_products_we_do_not_sell_are_still_an_order(catalog):
    decision = _route("un kilo de cardamomo y dos de anís estrellado", catalog)
    assert decision.intent == "order_create"
    assert [(i.product_code, i.quantity) for i in decision.items] == [(None, 1), (None, 2)]


def test_correction_keeps_the_new_number_and_the_old_unit(catalog):
    decision = _route("en vez de 2 sacos de garbanzo que sean 4", catalog, "sent")
    assert _lines(decision) == [("GAR-SEC-25", 4, "Saco 25 kg")]


def test_ambiguous_product_is_flagged_with_candidates(catalog):
    item = _route("quiero 10 kilos de sal", catalog).items[0]
    assert item.product_code is None and item.ambiguous
    assert item.quantity == 10
    assert {c.product_code for c in item.candidates} == {"SAL-MAR-KG", "SAL-ROS-KG"}


def test_unknown_product_keeps_quantity_and_shows_alternatives(catalog):
    item = _route("necesito 4 cajas de leche de soya", catalog).items[0]
    assert item.product_code is None and not item.ambiguous
    assert item.quantity == 4
    assert item.candidates[0].product_code == "LEC-ALM-CJ6"


def test_product_without_quantity_is_marked_missing(catalog):
    item = _route("quiero pistachos", catalog).items[0]
    assert item.product_code == "PIS-TOS-KG" and item.quantity_missing


def test_catalog_query_and_chat_carry_no_order_lines(catalog):
    assert _route("a cuanto los porotos negros?", catalog).items == []
    assert _route("me llegaron 3 kilos de pasas y pedí 5", catalog, "confirmed").items == []


def test_language_is_set(catalog):
    assert _route("please send 2 kg of raisins", catalog).language == "en"
    assert _route("mándame 2 kg de pasas", catalog).language == "es"


def test_contract_json_has_exactly_the_contract_fields(catalog):
    line = _route("quiero 3 kilos de lenteja castellana", catalog).contract_json()
    assert line == {
        "lane": "purchase",
        "intent": "order_create",
        "confidence": line["confidence"],
        "items": [{"product_code": "LEN-CAS-KG", "quantity": 3.0, "uom": "kg"}],
        "source": "rules",
    }
