"""The stand-in's control API over HTTP, as an external fault suite drives it: arm faults, read what fired,
deliver and receive goods, take the stand-in down for a while."""

from __future__ import annotations

import time

import httpx
import pytest

from integrations.odoo import errors
from integrations.odoo.client import get_client
from integrations.odoo.gateway import LineVals, purchase, sale

pytestmark = pytest.mark.django_db


def control(standin, verb: str, path: str, body=None) -> httpx.Response:
    return httpx.request(verb, f"{standin.url}/standin/{path}", json=body, timeout=5)


def test_a_fault_armed_over_http_fires_on_the_matching_call_and_is_recorded(odoo_standin):
    answer = control(odoo_standin, "POST", "faults", {"kind": "http", "phase": "after", "status": 503,
                                                      "model": "purchase.order", "method": "create", "count": 2})
    assert answer.status_code == 201 and answer.json()["armed"][0]["count"] == 2
    get_client().search_count("res.partner", [])  # another call: untouched
    for _ in range(2):
        with pytest.raises(errors.OdooUnavailable):
            get_client().create("purchase.order", {"partner_id": 1})
    assert isinstance(get_client().create("purchase.order", {"partner_id": 1}), int)  # count used up
    state = control(odoo_standin, "GET", "faults").json()
    assert state["armed"] == []
    assert [(a["kind"], a["phase"], a["model"], a["method"], a["status"]) for a in state["applied"]] == [
        ("http", "after", "purchase.order", "create", 503)] * 2
    assert len(odoo_standin.state.tables["purchase.order"]) == 3  # "after": both failed calls were committed


def test_several_faults_arm_in_one_request_and_fire_in_order(odoo_standin, settings):
    settings.ODOO_RETRY_ATTEMPTS = 1
    control(odoo_standin, "POST", "faults", {"faults": [
        {"kind": "fault", "phase": "before", "error": "access", "method": "search_count"},
        {"kind": "reset", "phase": "before", "method": "search_count"}]})
    with pytest.raises(errors.OdooAccessError):
        get_client().search_count("res.partner", [])
    with pytest.raises(errors.OdooUnavailable):
        get_client().search_count("res.partner", [])
    assert get_client().search_count("res.partner", []) == 11


@pytest.mark.parametrize("body,message", [
    ({"kind": "boom"}, "unknown fault kind 'boom'"),
    ({"kind": "http", "phase": "during"}, "unknown phase 'during'"),
    ({"kind": "fault", "error": "oops"}, "unknown error 'oops'"),
    ({"kind": "http", "status": 200}, "not an HTTP error status"),
    ({"kind": "http", "colour": "red"}, "unknown fault field(s): colour"),
    ("not an object", "a fault is a JSON object"),
])
def test_a_bad_fault_is_a_400_and_arms_nothing(odoo_standin, body, message):
    answer = control(odoo_standin, "POST", "faults", body)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert control(odoo_standin, "GET", "faults").json()["armed"] == []


def test_clearing_disarms_everything(odoo_standin):
    control(odoo_standin, "POST", "faults", {"kind": "reset", "count": 5})
    assert control(odoo_standin, "DELETE", "faults").json() == {"armed": [], "applied": [], "latency": 0.0}
    assert get_client().search_count("res.partner", []) == 11


def test_down_refuses_connections_for_a_while_then_comes_back_on_the_same_port(odoo_standin, settings):
    settings.ODOO_RETRY_ATTEMPTS = 1
    settings.ODOO_BREAKER_FAIL_MAX = 100
    assert control(odoo_standin, "POST", "faults", {"kind": "down", "seconds": 0.6}).status_code == 201
    time.sleep(0.2)
    with pytest.raises(errors.OdooUnavailable, match="refused") as caught:
        get_client().search_count("res.partner", [])
    assert caught.value.maybe_done is False
    time.sleep(0.8)
    assert get_client().search_count("res.partner", []) == 11


def test_latency_slows_every_call(odoo_standin):
    assert control(odoo_standin, "POST", "latency", {"seconds": 0.3}).json() == {"latency": 0.3}
    started = time.monotonic()
    get_client().search_count("res.partner", [])
    assert time.monotonic() - started >= 0.3
    assert control(odoo_standin, "POST", "latency", {"seconds": -1}).status_code == 400


def test_a_delivery_over_http_moves_part_then_all_of_a_sales_order(make_odoo_standin):
    standin = make_odoo_standin(version=18, mode="sale")
    order = sale.confirm(sale.create(key="k-entrega", partner_id=9, lines=[
        LineVals(odoo_product_id=5, quantity=10), LineVals(odoo_product_id=14, quantity=4)]).id)
    almonds, quinoa = order.lines
    part = control(standin, "POST", "deliveries", {"order": order.name, "quantities": {str(almonds.id): 6}})
    assert part.status_code == 200 and part.json()["delivery_status"] == "partial"
    assert part.json()["lines"] == [{"id": almonds.id, "qty_delivered": 6.0}, {"id": quinoa.id, "qty_delivered": 0.0}]
    rest = control(standin, "POST", "deliveries", {"order": order.id})
    assert rest.json()["delivery_status"] == "full"
    assert [line.done_quantity for line in sale.read(order.id).lines] == [10, 4]


def test_a_receipt_over_http_and_refusals(odoo_standin):
    rfq = purchase.confirm(purchase.create(key="k-recepcion", partner_id=2, lines=[
        LineVals(odoo_product_id=5, quantity=20)]).id)
    early = control(odoo_standin, "POST", "receipts", {"order": "P99999"})
    assert early.status_code == 400 and "no purchase.order named 'P99999'" in early.json()["error"]
    got = control(odoo_standin, "POST", "receipts", {"order": rfq.name, "quantities": {str(rfq.lines[0].id): 5}})
    assert got.json()["receipt_status"] == "partial"
    draft = purchase.create(key="k-borrador", partner_id=2, lines=[LineVals(odoo_product_id=5, quantity=1)])
    refused = control(odoo_standin, "POST", "receipts", {"order": draft.id})
    assert refused.status_code == 422 and refused.json()["error"] == "Only confirmed orders can be received."
    listed = control(odoo_standin, "GET", "orders").json()["purchase.order"]
    assert [(o["name"], o["state"]) for o in listed] == [(rfq.name, "purchase"), (draft.name, "draft")]
