"""RFQs through the gateway's command API, the real client and the stand-in: the key look-up, mark-as-sent without
e-mailing the vendor, approval, receipts per line and the expected arrival."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from integrations.odoo import errors
from integrations.odoo.client import get_client
from integrations.odoo.gateway import LineVals, purchase

pytestmark = pytest.mark.django_db
STACKS = [(17, "xmlrpc"), (18, "jsonrpc"), (19, "json2"), (19, "xmlrpc")]
MAULE = 2  # Frutos Secos del Maule: sells us almonds (vendor line, lead time 2 days)
KEY = "0c5e2b7d9a1f4e3c8b6d2a0f1e3c5b7a"


def lines(*pairs) -> list[LineVals]:
    return [LineVals(odoo_product_id=product, quantity=Decimal(str(qty))) for product, qty in pairs]


@pytest.mark.parametrize("version,protocol", STACKS)
def test_find_by_key_sees_only_the_order_that_carries_it(make_odoo_standin, version, protocol):
    make_odoo_standin(version=version, protocol=protocol)
    assert purchase.find(KEY) is None
    made = purchase.create(key=KEY, partner_id=MAULE, lines=lines((5, 20)), origin=f"Chatwoot conversation 4 [{KEY}]")
    purchase.create(key=KEY.upper(), partner_id=MAULE, lines=lines((5, 1)))  # Odoo's ilike matches it; we do not
    assert purchase.find(KEY).id == made.id
    assert purchase.create(key=KEY, partner_id=MAULE, lines=lines((5, 99))).id == made.id  # looks first
    with pytest.raises(ValueError, match="does not contain the key"):
        purchase.create(key=KEY, partner_id=MAULE, lines=[], origin="sin clave")


@pytest.mark.parametrize("version,protocol", STACKS)
def test_lines_are_priced_by_the_vendor_pricelist_when_no_price_is_sent(make_odoo_standin, version, protocol):
    make_odoo_standin(version=version, protocol=protocol)
    rfq = purchase.create(key=KEY, partner_id=MAULE, lines=lines((5, 20)))
    [line] = rfq.lines
    assert (line.unit_price, line.subtotal, line.tax, line.total, line.uom) == (10900, 218000, 41420, 259420, "kg")
    assert (rfq.amount_untaxed, rfq.amount_tax, rfq.amount_total) == (218000, 41420, 259420)


@pytest.mark.parametrize("version,protocol", STACKS)
def test_mark_sent_moves_a_draft_to_sent_with_an_internal_note_and_no_mail(make_odoo_standin, version, protocol):
    standin = make_odoo_standin(version=version, protocol=protocol)
    rfq = purchase.create(key=KEY, partner_id=MAULE, lines=lines((5, 20)))
    assert purchase.mark_sent(rfq.id).state == "sent"
    [note] = standin.state.tables["mail.message"].values()
    assert (note["model"], note["res_id"], note["message_type"], note["subtype_xmlid"]) == (
        "purchase.order", rfq.id, "comment", "mail.mt_note")
    calls = len(standin.state.calls)
    assert purchase.mark_sent(rfq.id).state == "sent"
    assert standin.state.calls[calls:] == [("purchase.order", "read")]  # already sent: one read, no second note
    assert purchase.confirm(rfq.id).state == "purchase"


def test_mark_sent_leaves_a_confirmed_order_alone(odoo_standin):
    rfq = purchase.confirm(purchase.create(key=KEY, partner_id=MAULE, lines=lines((5, 2))).id)
    assert purchase.mark_sent(rfq.id).state == "purchase"
    assert odoo_standin.state.tables["mail.message"] == {}


@pytest.mark.parametrize("version", [17, 19])
def test_double_validation_then_approval_by_a_manager(make_odoo_standin, version):
    standin = make_odoo_standin(version=version)
    standin.state.set_double_validation(amount=100_000)
    rfq = purchase.confirm(purchase.create(key=KEY, partner_id=MAULE, lines=lines((5, 20))).id)
    assert rfq.state == "to approve"
    assert purchase.approve(rfq.id).state == "to approve"  # the integration user may not approve: a silent no-op
    standin.state.tables["res.users"][2]["purchase_manager"] = True
    assert purchase.approve(rfq.id).state == "purchase"
    assert purchase.confirm(rfq.id).state == "purchase"  # confirming again changes nothing


@pytest.mark.parametrize("version,protocol", STACKS)
def test_receipts_per_line_and_the_expected_arrival(make_odoo_standin, version, protocol):
    standin = make_odoo_standin(version=version, protocol=protocol)
    rfq = purchase.confirm(purchase.create(key=KEY, partner_id=MAULE, lines=lines((5, 20), (6, 8))).id)
    ordered = dt.datetime.strptime(standin.state.tables["purchase.order"][rfq.id]["date_order"], "%Y-%m-%d %H:%M:%S")
    arrival = ordered.replace(tzinfo=dt.timezone.utc) + dt.timedelta(days=2)  # the vendor's lead time
    assert rfq.expected_date == arrival and [l.expected_date for l in rfq.lines] == [arrival, arrival]
    assert rfq.receipt_status == "pending"
    standin.state.receive(rfq.id, {rfq.lines[0].id: 12})
    partial = purchase.read(rfq.id)
    assert (partial.receipt_status, partial.fulfilment_status, partial.received) == ("partial", "partial", False)
    assert [(l.done_quantity, l.pending_quantity) for l in partial.lines] == [(12, 8), (0, 8)]
    standin.state.receive(rfq.id)
    assert purchase.read(rfq.id).received is True


def test_a_written_expected_arrival_is_read_back(odoo_standin):
    rfq = purchase.create(key=KEY, partner_id=MAULE, lines=lines((5, 20)))
    get_client().write("purchase.order", [rfq.id], {"date_planned": "2027-01-15 13:00:00"})
    assert purchase.read(rfq.id).expected_date == dt.datetime(2027, 1, 15, 13, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("version", [17, 19])
def test_cancel_is_read_back_even_though_odoo_answers_none(make_odoo_standin, version):
    make_odoo_standin(version=version)
    rfq = purchase.create(key=KEY, partner_id=MAULE, lines=lines((5, 20)))
    assert purchase.cancel(rfq.id).state == "cancel"
    assert purchase.cancel(rfq.id).state == "cancel"


def test_a_missing_order_is_a_missing_error(odoo_standin):
    with pytest.raises(errors.OdooMissingError):
        purchase.mark_sent(999)
    assert purchase.read(999) is None


@pytest.mark.parametrize("gateway_name", ["purchase", "sale"])
def test_dry_run_creates_nothing_and_says_so(make_odoo_standin, settings, gateway_name):
    from integrations.odoo import gateway

    standin = make_odoo_standin(version=18, mode=gateway_name)
    settings.DRY_RUN = True
    assert getattr(gateway, gateway_name).create(key=KEY, partner_id=MAULE, lines=lines((5, 1))) is None
    assert standin.state.tables[f"{gateway_name}.order"] == {}
