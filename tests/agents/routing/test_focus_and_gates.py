"""What the contact rules out is not what they ask; an order on its way makes a delivery question about it; products
asked for while an order is open change that order; a second request joined by "y" and a question word is its own.
Sentences written for these tests, against the test catalog."""

import pytest

from agents.routing.contrast import contrast_focus
from agents.routing.rules import route_by_rules


@pytest.mark.parametrize("text, focus", [
    ("no, no quiero anular nada, solo saber a qué hora pasa el camión", "saber a qué hora pasa el camión"),
    ("No es para reclamar, sólo quería preguntar por la factura", "quería preguntar por la factura"),
    ("no cancelen porfa, solamente saquen el pan rallado", "saquen el pan rallado"),
    ("no me llegó completo, solo vino la mitad", "no me llegó completo, solo vino la mitad"),  # nothing ruled out
    ("hola, solo quiero 5 kilos de pasas", "hola, solo quiero 5 kilos de pasas"),
])
def test_contrast_focus(text, focus):
    assert contrast_focus(text) == focus


@pytest.mark.parametrize("text, state, intent", [
    ("no quiero cancelar nada, solo saber cuándo me llega", "confirmed", "order_status"),
    ("no, no cancelen, solamente quiten el pan rallado", "sent", "order_modify"),
])
def test_the_request_after_the_contrast_is_routed(catalog, text, state, intent):
    assert route_by_rules(text, order_state=state, catalog=catalog).intent == intent


@pytest.mark.parametrize("text", [
    "¿alcanza a llegar antes del viernes?",
    "oigan, ¿por qué se demora tanto? lo esperaba en la mañana",
    "¿los garbanzos vienen en el mismo camión o en otro?",
])
def test_a_delivery_question_with_the_order_on_its_way_asks_about_that_order(catalog, text):
    assert route_by_rules(text, order_state="confirmed", catalog=catalog).intent == "order_status"


@pytest.mark.parametrize("text", ["¿hacen despacho a Puente Alto?", "¿cuánto cuesta el envío a regiones?"])
def test_a_question_about_delivery_policy_stays_a_business_question(catalog, text):
    assert route_by_rules(text, order_state="confirmed", catalog=catalog).intent == "faq"


@pytest.mark.parametrize("state", ["draft", "sent", "to_approve"])
def test_products_asked_for_while_an_order_is_open_change_it(catalog, state):
    decision = route_by_rules("necesito 12 kilos de pasas flame", order_state=state, catalog=catalog)
    assert decision.intent == "order_modify"
    assert [(i.product_code, i.quantity) for i in decision.items] == [("PAS-FLA-KG", 12)]


def test_the_same_products_with_no_open_order_are_a_new_order(catalog):
    assert route_by_rules("necesito 12 kilos de pasas flame", order_state=None, catalog=catalog).intent == "order_create"


def test_an_order_line_and_a_price_question_joined_by_y_are_two_requests(catalog):
    decision = route_by_rules("anota 3 kilos de pistacho y cuánto está el aceite de coco?", catalog=catalog)
    assert decision.intent == "order_create"
    assert [(i.product_code, i.quantity) for i in decision.items] == [("PIS-TOS-KG", 3)]
    assert [s.intent for s in decision.secondary] == ["catalog_query"]


def test_a_change_asked_in_the_plural_is_a_change(catalog):
    decision = route_by_rules("cambien los garbanzos a 4 sacos", order_state="sent", catalog=catalog)
    assert decision.intent == "order_modify"


def _decision(intent, confidence, secondary=()):
    from agents.routing.decision import INTENT_LANE, RoutingDecision, SecondaryRequest

    return RoutingDecision(lane=INTENT_LANE[intent], intent=intent, confidence=confidence,
                           secondary=[SecondaryRequest(lane=INTENT_LANE[i], intent=i, items=[]) for i in secondary])


def test_a_choice_the_cue_rules_strongly_contradict_is_not_reported_as_sure():
    from agents.routing.cues import RuleScores
    from agents.routing.rules import DISAGREEMENT_CONFIDENCE, _doubt_when_the_readers_disagree

    contradicted = _decision("faq", 0.99)
    _doubt_when_the_readers_disagree(contradicted, RuleScores([("order_status", 3.5)], [], ""), "confirmed")
    assert contradicted.confidence == DISAGREEMENT_CONFIDENCE
    weakly = _decision("faq", 0.99)
    _doubt_when_the_readers_disagree(weakly, RuleScores([("order_status", 1.5)], [], ""), "confirmed")
    assert weakly.confidence == 0.99
    impossible = _decision("faq", 0.99)  # the rules' favourite cannot happen in this state: no real disagreement
    _doubt_when_the_readers_disagree(impossible, RuleScores([("order_confirm", 4.0)], [], ""), None)
    assert impossible.confidence == 0.99
    two_requests = _decision("order_create", 0.99, secondary=["faq"])
    _doubt_when_the_readers_disagree(two_requests, RuleScores([("faq", 4.0)], [], ""), None)
    assert two_requests.confidence == 0.99


@pytest.mark.parametrize("text", ["el repartidor fue bien grosero con mi cajera", "la señora de ventas estuvo súper pesada"])
def test_how_someone_of_theirs_behaved_is_a_complaint(catalog, text):
    assert route_by_rules(text, catalog=catalog).intent == "complaint"
