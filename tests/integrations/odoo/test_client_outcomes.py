"""The client against the stand-in's faults: an unknown outcome of a write is "maybe done" and never repeated by the
client; reads are retried; what does not exist (an app, a method, JSON-2 on 17/18) is named."""

from __future__ import annotations

import pytest

from integrations.models import ExternalCall
from integrations.odoo import client as odoo_client
from integrations.odoo import errors
from integrations.odoo.client import get_client

pytestmark = pytest.mark.django_db
STACKS = [("xmlrpc", 17), ("jsonrpc", 18), ("json2", 19)]
UNKNOWN_OUTCOMES = ["http", "reset", "timeout", "fault", "garbage"]


def quick_timeouts(settings) -> None:
    settings.ODOO_TIMEOUT = 0.5
    odoo_client.reset()


@pytest.mark.parametrize("protocol,version", STACKS)
@pytest.mark.parametrize("kind", UNKNOWN_OUTCOMES)
@pytest.mark.parametrize("phase", ["before", "after"])
def test_an_unknown_outcome_of_a_create_is_maybe_done_and_sent_once(make_odoo_standin, settings, protocol, version,
                                                                     kind, phase):
    standin = make_odoo_standin(version=version, protocol=protocol)
    quick_timeouts(settings)
    standin.arm(kind=kind, phase=phase, model="purchase.order", method="create", seconds=1.0)
    orders = standin.state.tables["purchase.order"]
    with pytest.raises(errors.OdooUnavailable) as caught:
        get_client().create("purchase.order", {"partner_id": 1, "origin": "clave-1"})
    assert caught.value.maybe_done is True
    assert [o["origin"] for o in orders.values()] == (["clave-1"] if phase == "after" else [])
    assert ExternalCall.objects.filter(method="purchase.order.create").count() == 1  # the client did not repeat it
    assert [(f["kind"], f["phase"], f["method"]) for f in standin.faults.applied] == [(kind, phase, "create")]


@pytest.mark.parametrize("protocol,version", STACKS)
@pytest.mark.parametrize("method,ids", [("write", True), ("button_confirm", True), ("button_cancel", True)])
def test_a_server_fault_after_a_write_committed_is_maybe_done(make_odoo_standin, protocol, version, method, ids):
    standin = make_odoo_standin(version=version, protocol=protocol)
    oid = get_client().create("purchase.order", {"partner_id": 1, "order_line": [(0, 0, {"product_id": 1})]})
    standin.arm(kind="fault", phase="after", model="purchase.order", method=method)
    with pytest.raises(errors.OdooUnavailable) as caught:
        if method == "write":
            get_client().write("purchase.order", [oid], {"partner_ref": "REF-9"})
        else:
            get_client().button("purchase.order", method, [oid])
    assert caught.value.maybe_done is True
    expected = {"write": ("partner_ref", "REF-9"), "button_confirm": ("state", "purchase"),
                "button_cancel": ("state", "cancel")}[method]
    assert standin.state.tables["purchase.order"][oid][expected[0]] == expected[1]  # it was done all the same


def test_a_business_refusal_of_a_write_is_not_maybe_done(odoo_standin):
    odoo_standin.arm(kind="fault", phase="before", error="validation", model="purchase.order", method="create")
    with pytest.raises(errors.OdooValidationError) as caught:
        get_client().create("purchase.order", {"partner_id": 1})
    assert caught.value.maybe_done is False and caught.value.transient is False


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc"])
def test_an_http_4xx_refusal_of_a_write_is_not_maybe_done(make_odoo_standin, protocol):
    standin = make_odoo_standin(version=18, protocol=protocol)
    standin.arm(kind="http", phase="before", status=404, model="purchase.order", method="create")
    with pytest.raises(errors.OdooServerError) as caught:
        get_client().create("purchase.order", {"partner_id": 1})
    assert (caught.value.status, caught.value.maybe_done) == (404, False)


def test_connection_refused_is_not_maybe_done_so_a_write_may_be_retried(odoo_standin, settings):
    settings.ODOO_RETRY_ATTEMPTS = 1
    odoo_standin.down()
    with pytest.raises(errors.OdooUnavailable) as caught:
        get_client().create("purchase.order", {"partner_id": 1})
    assert caught.value.maybe_done is False


@pytest.mark.parametrize("protocol,version", STACKS)
def test_a_read_is_retried_after_an_unknown_outcome(make_odoo_standin, protocol, version):
    standin = make_odoo_standin(version=version, protocol=protocol)
    standin.arm(kind="http", phase="after", status=502, model="res.partner", method="search_count")
    assert get_client().search_count("res.partner", []) == 11
    assert [r.outcome for r in ExternalCall.objects.filter(method="res.partner.search_count").order_by("id")] == [
        "error", "ok"]


def test_an_unknown_method_counts_as_a_write(odoo_standin, settings):
    settings.DRY_RUN = True
    before = len(odoo_standin.state.calls)
    assert get_client().call("purchase.order", "message_post", ids=[1], body="x") is None
    assert len(odoo_standin.state.calls) == before  # DRY_RUN held it back, as it does every write


@pytest.mark.parametrize("version", [17, 18])
def test_json2_against_odoo_17_or_18_says_which_protocol_to_use(make_odoo_standin, version):
    standin = make_odoo_standin(version=version, protocol="json2")
    with pytest.raises(errors.OdooConfigError) as caught:
        get_client().search_count("res.partner", [])
    assert str(caught.value) == (
        f"ODOO_PROTOCOL=json2 needs Odoo 19 or later, but {standin.url} runs Odoo {version}.0: set "
        "ODOO_PROTOCOL=xmlrpc (or jsonrpc) with the user's password or API key.")


@pytest.mark.parametrize("protocol,version", STACKS + [("xmlrpc", 19)])
def test_a_model_of_an_app_not_installed_is_named(make_odoo_standin, protocol, version):
    make_odoo_standin(version=version, protocol=protocol, apps={"purchase"})
    with pytest.raises(errors.OdooModelMissing) as caught:
        get_client().search_read("sale.order", [], ["name"])
    assert caught.value.model == "sale.order"


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc", "json2"])
def test_a_method_of_another_version_is_named_not_maybe_done(make_odoo_standin, protocol):
    make_odoo_standin(version=19, protocol=protocol)
    oid = get_client().create("purchase.order", {"partner_id": 1})
    with pytest.raises(errors.OdooMethodMissing, match="purchase.order.button_done"):
        get_client().button("purchase.order", "button_done", [oid])  # 'done' is gone in 19


@pytest.mark.parametrize("protocol,version", STACKS)
def test_a_user_without_sales_rights_gets_an_access_error(make_odoo_standin, protocol, version):
    standin = make_odoo_standin(version=version, protocol=protocol)
    standin.state.tables["res.users"][2]["sale_user"] = False
    with pytest.raises(errors.OdooAccessError, match=r"not allowed to access 'Sales Order' \(sale.order\)"):
        get_client().search_read("sale.order", [], ["name"])
    assert get_client().fields_get("sale.order")  # fields_get needs no right, as in Odoo
