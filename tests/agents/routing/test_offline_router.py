"""The offline router end to end: the trained model and the rules together, the order-state gate, negation,
readings for "¿quieres decir A o B?", and second requests in one message."""

import pytest
from django.conf import settings

from agents.routing.rules import route_by_rules
from agents.routing.states import POSSIBLE_IN, possible
from agents.routing.decision import ORDER_STATES


def _route(text, catalog, state=None):
    return route_by_rules(text, order_state=state, catalog=catalog)


@pytest.mark.parametrize("state", [None, "confirmed", "received", "cancelled", "to_approve"])
def test_confirm_is_impossible_without_a_quote_whatever_the_words(catalog, state):
    for text in ("sí", "confirmo", "sí, confirmo el pedido, adelante"):
        decision = _route(text, catalog, state)
        assert decision.intent != "order_confirm"
        assert all(r["intent"] != "order_confirm" for r in decision.details["readings"])


def test_the_same_words_confirm_a_waiting_quote(catalog):
    assert _route("sí", catalog, "sent").intent == "order_confirm"
    assert _route("el precio me acomoda, dale", catalog, "sent").intent == "order_confirm"


def test_modify_needs_an_editable_order(catalog):
    with_order = _route("también 3 kilos de pasas", catalog, "draft")
    without = _route("también 3 kilos de pasas", catalog, None)
    assert (with_order.intent, with_order.items[0].action) == ("order_modify", "add")
    assert without.intent == "order_create"
    assert [(i.product_code, i.quantity) for i in without.items] == [("PAS-FLA-KG", 3)]


def test_a_bare_tambien_with_nothing_open_is_not_a_change(catalog):
    assert _route("también", catalog, "confirmed").intent not in ("order_modify", "order_create")


def test_negation_cancels_a_waiting_quote_but_orders_nothing_without_one(catalog):
    assert _route("ya no lo quiero, gracias", catalog, "sent").intent == "order_cancel"
    assert _route("ya no lo quiero, gracias", catalog, None).intent not in ("order_cancel", "order_create")


def test_dropping_a_named_product_is_a_change_not_a_cancellation(catalog):
    decision = _route("ya no necesito las pasas", catalog, "sent")
    assert decision.intent == "order_modify"
    assert [(i.product_code, i.action) for i in decision.items] == [("PAS-FLA-KG", "remove")]


def test_gate_table_is_consistent_with_the_contract_states():
    assert all(state in ("none", *ORDER_STATES) for allowed in POSSIBLE_IN.values() for state in allowed)
    assert possible("order_confirm", "sent") and not possible("order_confirm", None)
    assert possible("order_cancel", "confirmed") and possible("order_cancel", None)  # the agent says nothing is open
    assert not possible("order_modify", None) and not possible("order_modify", "confirmed")
    assert possible("faq", None) and possible("complaint", "received")


@pytest.mark.parametrize(
    "text, state, intent",
    [
        ("¿cómo va lo que encargué?", "confirmed", "order_status"),
        ("¿reciben transferencia?", None, "faq"),
        ("¿venden pistachos?", None, "catalog_query"),
        ("llegaron rotos los sacos de garbanzos", "received", "complaint"),
        ("quiero hablar con una persona", None, "human_handoff"),
        ("muchas gracias!", "confirmed", "thanks"),
        ("buenas tardes", None, "greeting"),
        ("cancela el pedido por favor", "to_approve", "order_cancel"),
    ],
)
def test_intents_without_the_closed_word_lists(catalog, text, state, intent):
    assert _route(text, catalog, state).intent == intent


def test_readings_are_best_first_with_lane_and_probability(catalog):
    decision = _route("¿tienen pistachos?", catalog)
    readings = decision.details["readings"]
    assert readings[0] == {"lane": decision.lane, "intent": decision.intent, "p": decision.confidence}
    assert [r["p"] for r in readings] == sorted((r["p"] for r in readings), reverse=True)
    assert len(readings) == 3 and all(set(r) == {"lane", "intent", "p"} for r in readings)
    assert 0.0 <= readings[-1]["p"] <= readings[0]["p"] <= 1.0


def test_a_clear_message_is_confident_and_a_vague_one_asks(catalog):
    assert _route("quiero 10 kilos de pasas", catalog).confidence >= settings.ROUTER_CLARIFY_BELOW
    assert _route("y lo otro?", catalog, "confirmed").confidence < settings.ROUTER_CLARIFY_BELOW


def test_an_order_and_a_question_give_a_primary_and_a_secondary(catalog):
    decision = _route("hola, ¿a qué hora cierran? y anótame 10 kg de pasas", catalog)
    assert decision.intent == "order_create"
    assert [(i.product_code, i.quantity) for i in decision.items] == [("PAS-FLA-KG", 10)]
    assert [(s.lane, s.intent, s.items) for s in decision.secondary] == [("info", "faq", [])]


def test_a_confirmation_with_a_question_keeps_the_confirmation_first(catalog):
    decision = _route("confirmo el pedido. Otra cosa, ¿emiten factura?", catalog, "sent")
    assert (decision.intent, [s.intent for s in decision.secondary]) == ("order_confirm", ["faq"])


@pytest.mark.parametrize(
    "text",
    [
        "¿tienen pistachos? mándame 5 kg",  # a stock question folded into the order
        "hola, buenas tardes, necesito 3 kilos de pasas, gracias",  # greeting and thanks are not requests
        "quiero 3 kilos de pasas y 2 de merkén",
        "¿ya salió mi pedido? lo necesito para el viernes",  # a reason, not a second order
        "llegó todo perfecto, muchas gracias",  # thanks that thank for nothing in particular
    ],
)
def test_no_secondary_unless_clearly_a_second_request(catalog, text):
    assert _route(text, catalog, "confirmed").secondary == []


@pytest.mark.parametrize(
    "text, state, primary, secondary",
    [
        ("llegó roto el saco de garbanzos y quiero hablar con alguien", "received", "human_handoff", ["complaint"]),
        ("gracias por reponer el merkén. ¿Hasta qué hora reciben los viernes?", "received", "faq", ["thanks"]),
        ("quiero 10 kg de pasas. ¿Tienen también pistachos?", None, "order_create", ["catalog_query"]),
        ("¿cuándo llega mi pedido? y de paso, ¿tienen lentejas?", "confirmed", "order_status", ["catalog_query"]),
        # a complaint told over clauses none of which is clear alone, beside a clear call for a person
        ("me cobraron el despacho dos veces, ¿me pueden devolver la plata? Y pásenme con un supervisor", "received",
         "human_handoff", ["complaint"]),
    ],
)
def test_second_requests_of_other_kinds(catalog, text, state, primary, secondary):
    decision = _route(text, catalog, state)
    assert (decision.intent, [s.intent for s in decision.secondary]) == (primary, secondary)


@pytest.mark.parametrize(
    "text, state, intent",
    [
        ("sí, así", "draft", "other"),  # a bare yes confirms only a waiting quote
        ("ok", "draft", "other"),
        ("déjame pensarlo y te confirmo el lunes", "sent", "other"),  # a decision put off
        ("let me check with my partner first", "sent", "other"),
        ("Aprobado por gerencia, pueden despachar.", "sent", "order_confirm"),  # approving the waiting quote
        ("¿ya lo aprobaron?", "to_approve", "order_status"),  # ...while in review the same word asks
        ("y un saco de garbanzos", "draft", "order_modify"),  # a continuation adds to the editable order
        ("y un saco de garbanzos", None, "order_create"),  # ...with nothing open it is a new order
        ("gracias por reponer el saco roto", "received", "thanks"),  # what is thanked for is no complaint
        ("nos facturaron 10 kg de pasas pero llegaron 8", "received", "complaint"),  # billed against received
        ("ya no lo quiero, gracias", "cancelled", "other"),  # losing interest with nothing open
        ("cancela mi pedido", "cancelled", "order_cancel"),  # an explicit cancellation in any state
        ("Les dejo mi nuevo número de contacto: +56 9 7123 4567", "confirmed", "other"),
    ],
)
def test_conventions_the_labelled_sets_share(catalog, text, state, intent):
    assert _route(text, catalog, state).intent == intent

