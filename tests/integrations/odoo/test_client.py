"""The Odoo client against the stand-in over the real protocols: calls, typed errors, None results, timeouts,
retries, breaker, call rows, DRY_RUN."""

from __future__ import annotations

import time

import pytest

from integrations.models import ExternalCall
from integrations.odoo import errors
from integrations.odoo.client import get_client

pytestmark = pytest.mark.django_db
PROTOCOLS = ["xmlrpc", "jsonrpc", "json2"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_reads_creates_and_writes_over_every_protocol(make_odoo_standin, protocol):
    standin = make_odoo_standin(version=19 if protocol == "json2" else 17, protocol=protocol)
    odoo = get_client()
    rows = odoo.search_read("product.product", [("default_code", "=", "FS-ALM-KG")], ["name", "uom_id"])
    assert rows == [{"id": rows[0]["id"], "name": "Almendra entera sin tostar", "uom_id": [1, "kg"]}]
    oid = odoo.create("purchase.order", {"partner_id": 1, "origin": "test", "order_line": [
        (0, 0, {"product_id": rows[0]["id"], "product_qty": 20, "price_unit": 10900})]})
    assert isinstance(oid, int)
    assert odoo.write("purchase.order", [oid], {"partner_ref": "ABC"}) is True
    order = odoo.read("purchase.order", [oid], ["name", "state", "amount_untaxed", "partner_ref"])[0]
    assert (order["state"], order["amount_untaxed"], order["partner_ref"]) == ("draft", 218000.0, "ABC")
    assert standin.state.tables["purchase.order"][oid]["name"] == order["name"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_button_returning_none_is_a_success_and_the_state_is_reread(make_odoo_standin, protocol):
    standin = make_odoo_standin(version=19 if protocol == "json2" else 18, protocol=protocol)
    odoo = get_client()
    oid = odoo.create("purchase.order", {"partner_id": 1, "order_line": [(0, 0, {"product_id": 1, "product_qty": 1})]})
    # XML-RPC: Odoo commits then faults "cannot marshal None"; JSON-RPC: no `result`; JSON-2: null.
    assert odoo.button("purchase.order", "button_cancel", [oid]) is None
    assert odoo.read("purchase.order", [oid], ["state"])[0]["state"] == "cancel"
    assert ExternalCall.objects.filter(method="purchase.order.button_cancel", outcome="ok").count() == 1
    assert standin.state.tables["purchase.order"][oid]["state"] == "cancel"


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("kind,expected", [
    ("access", errors.OdooAccessError), ("validation", errors.OdooValidationError),
    ("missing", errors.OdooMissingError), ("generic", errors.OdooServerError),
])
def test_faults_become_typed_permanent_errors(make_odoo_standin, protocol, kind, expected):
    standin = make_odoo_standin(version=19, protocol=protocol)
    standin.fail_next(kind, method="search_read")
    with pytest.raises(expected) as caught:
        get_client().search_read("res.partner", [], ["name"])
    assert caught.value.transient is False
    assert type(caught.value) is expected  # not retried: one call row
    assert ExternalCall.objects.filter(method="res.partner.search_read", outcome="error").count() == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_write_on_a_missing_record_is_a_missing_error(make_odoo_standin, protocol):
    make_odoo_standin(version=19, protocol=protocol)
    with pytest.raises(errors.OdooMissingError, match="does not exist"):
        get_client().write("purchase.order", [999], {"origin": "x"})


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_bad_password_is_an_auth_error(make_odoo_standin, settings, protocol):
    make_odoo_standin(version=19, protocol=protocol)
    settings.ODOO_PASSWORD = "wrong"
    with pytest.raises(errors.OdooAuthError):
        get_client().search_count("res.partner", [])


def test_legacy_xmlrpc_string_fault_codes_are_classified(odoo_standin):
    import odoolib

    from integrations.odoo.faults import classify

    conn = odoolib.get_connection(hostname="127.0.0.1", port=odoo_standin.port, database="standin",
                                  login="admin", password="admin")  # odoolib's own /xmlrpc/ path
    odoo_standin.fail_next("access")
    with pytest.raises(Exception) as caught:
        conn.get_model("res.partner").search([])
    assert isinstance(classify(caught.value), errors.OdooAccessError)
    with pytest.raises(Exception) as caught:
        conn.get_model("purchase.order").write([999], {"origin": "x"})
    assert isinstance(classify(caught.value), errors.OdooMissingError)


def test_slow_odoo_times_out_instead_of_hanging(odoo_standin, settings):
    settings.ODOO_TIMEOUT = 0.3
    settings.ODOO_RETRY_ATTEMPTS = 1
    from integrations.odoo import client

    client.reset()
    odoo_standin.fail_next("slow", seconds=2.0)
    started = time.monotonic()
    with pytest.raises(errors.OdooTimeout):
        get_client().search_count("res.partner", [])
    assert time.monotonic() - started < 1.5


def test_transient_read_failures_are_retried(odoo_standin):
    odoo_standin.fail_next("http503", method="search_count")
    assert get_client().search_count("res.partner", []) > 0
    rows = ExternalCall.objects.filter(method="res.partner.search_count").order_by("id")
    assert [r.outcome for r in rows] == ["error", "ok"]


def test_a_write_that_may_have_reached_odoo_is_not_retried(odoo_standin):
    odoo_standin.fail_next("drop_after", method="create")
    before = len(odoo_standin.state.tables["purchase.order"])
    with pytest.raises(errors.OdooUnavailable) as caught:
        get_client().create("purchase.order", {"partner_id": 1})
    assert caught.value.maybe_done is True
    # Odoo did create it once; neither we nor xmlrpc.client re-sent the request.
    assert len(odoo_standin.state.tables["purchase.order"]) == before + 1


def test_breaker_opens_when_odoo_is_down_and_closes_when_back(odoo_standin, settings):
    from integrations.odoo import client

    settings.ODOO_BREAKER_FAIL_MAX = 2
    settings.ODOO_BREAKER_RESET_SECONDS = 0.2
    settings.ODOO_RETRY_ATTEMPTS = 1
    odoo_standin.down()
    for _ in range(2):
        with pytest.raises(errors.OdooUnavailable):
            get_client().search_count("res.partner", [])
    with pytest.raises(errors.OdooCircuitOpen):
        get_client().search_count("res.partner", [])
    assert client.breaker().current_state == "open"
    odoo_standin.up()
    time.sleep(0.25)
    assert get_client().search_count("res.partner", []) > 0
    assert client.breaker().current_state == "closed"


def test_business_errors_do_not_open_the_breaker(odoo_standin, settings):
    from integrations.odoo import client

    settings.ODOO_BREAKER_FAIL_MAX = 2
    for _ in range(3):
        odoo_standin.fail_next("validation")
        with pytest.raises(errors.OdooValidationError):
            get_client().search_count("res.partner", [])
    assert client.breaker().current_state == "closed"


def test_dry_run_sends_no_write_and_records_what_it_would_have_written(odoo_standin, settings):
    settings.DRY_RUN = True
    before = len(odoo_standin.state.tables["res.partner"])
    assert get_client().create("res.partner", {"name": "Nadie"}) is None
    assert len(odoo_standin.state.tables["res.partner"]) == before
    row = ExternalCall.objects.get(method="res.partner.create")
    assert row.outcome == "dry_run" and "Nadie" in row.request_summary
    assert get_client().search_count("res.partner", []) == before  # reads still go through


def test_calls_are_counted_in_the_metric(odoo_standin):
    from core.metrics import odoo_calls_total

    counter = odoo_calls_total.labels(method="res.partner.search_count", outcome="ok")
    before = counter._value.get()
    get_client().search_count("res.partner", [])
    assert counter._value.get() == before + 1


@pytest.mark.parametrize("version,uom,taxes,notes,mobile,done,locked", [
    (17, "product_uom", "taxes_id", "notes", True, True, False),
    (18, "product_uom", "taxes_id", "notes", True, True, False),
    (19, "product_uom_id", "tax_ids", "note", False, False, True),
])
def test_field_names_are_detected_with_fields_get(make_odoo_standin, version, uom, taxes, notes, mobile, done, locked):
    from integrations.odoo.fields import detect

    make_odoo_standin(version=version)
    names = detect(get_client())
    assert (names.line_uom, names.line_taxes, names.order_notes) == (uom, taxes, notes)
    assert (names.partner_mobile, names.has_done_state, names.has_locked_flag) == (mobile, done, locked)
    detect(get_client())
    assert ExternalCall.objects.filter(method__endswith="fields_get").count() == 3  # cached after the first


def test_a_breaker_opened_by_another_process_is_respected(odoo_standin):
    from django.core.cache import cache

    from integrations.odoo.client import SHARED_OPEN_KEY

    cache.set(SHARED_OPEN_KEY, time.time() + 30)  # e.g. the worker saw Odoo down
    calls_before = len(odoo_standin.state.calls)
    with pytest.raises(errors.OdooCircuitOpen):
        get_client().search_count("res.partner", [])
    assert len(odoo_standin.state.calls) == calls_before  # no request sent
    cache.delete(SHARED_OPEN_KEY)
    assert get_client().search_count("res.partner", []) > 0


def test_opening_the_breaker_is_published_for_other_processes(odoo_standin, settings):
    from django.core.cache import cache

    from integrations.odoo.client import SHARED_OPEN_KEY

    settings.ODOO_BREAKER_FAIL_MAX = 1
    settings.ODOO_RETRY_ATTEMPTS = 1
    odoo_standin.down()
    with pytest.raises(errors.OdooUnavailable):
        get_client().search_count("res.partner", [])
    assert cache.get(SHARED_OPEN_KEY) > time.time()
