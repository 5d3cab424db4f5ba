"""The gateway's commands under every "apply, then fail" (and "fail before") fault, for RFQs and quotations: the
client raises maybe-done, the caller repeats the same command, and Odoo ends with exactly one order, the wanted
lines, the wanted state."""

from __future__ import annotations

from decimal import Decimal

import pytest

from integrations.odoo import client as odoo_client
from integrations.odoo import errors
from integrations.odoo.gateway import LineVals, purchase, sale

pytestmark = pytest.mark.django_db
STACKS = [("xmlrpc", 17), ("jsonrpc", 18), ("json2", 19)]
KINDS = ["http", "reset", "timeout", "fault", "garbage"]
MODES = {"purchase": (purchase, "purchase.order", 2), "sale": (sale, "sale.order", 9)}  # gateway, model, partner
KEY = "7f3c9a1e0b5d4c2a8e6f1d3b5a7c9e0f"
LINES = [LineVals(odoo_product_id=5, quantity=Decimal("20")), LineVals(odoo_product_id=14, quantity=Decimal("10"))]


@pytest.fixture
def stage(make_odoo_standin, settings):
    def make(mode: str, protocol: str, version: int):
        standin = make_odoo_standin(version=version, protocol=protocol, mode=mode)
        settings.ODOO_TIMEOUT = 0.5
        odoo_client.reset()
        return standin, *MODES[mode]

    return make


def orders_with_key(standin, model: str) -> list[dict]:
    return [o for o in standin.state.tables[model].values() if KEY in (o["origin"] or "")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("protocol,version", STACKS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phase", ["before", "after"])
def test_a_create_that_may_have_happened_is_found_by_its_key_so_there_is_one_order(stage, mode, protocol, version,
                                                                                    kind, phase):
    standin, gateway, model, partner = stage(mode, protocol, version)
    standin.arm(kind=kind, phase=phase, model=model, method="create", seconds=1.0)
    with pytest.raises(errors.OdooUnavailable) as caught:
        gateway.create(key=KEY, partner_id=partner, lines=LINES, origin=f"Chatwoot conversation 7 [{KEY}]")
    assert caught.value.maybe_done is True
    # The caller's look-up after the failure: it tells whether Odoo made it.
    found = gateway.find(KEY)
    assert (found is not None) == (phase == "after")
    again = gateway.create(key=KEY, partner_id=partner, lines=LINES, origin=f"Chatwoot conversation 7 [{KEY}]")
    [only] = orders_with_key(standin, model)
    assert again.id == only["id"] and [(l.product_id, l.quantity) for l in again.lines] == [(5, 20), (14, 10)]


def _stack(kind: str) -> tuple[str, int]:
    return STACKS[KINDS.index(kind) % len(STACKS)]  # every protocol meets several kinds


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phase", ["before", "after"])
def test_setting_lines_again_after_a_maybe_done_write_ends_with_the_wanted_lines(stage, mode, kind, phase):
    standin, gateway, model, partner = stage(mode, *_stack(kind))
    order = gateway.create(key=KEY, partner_id=partner, lines=LINES)
    wanted = [LineVals(odoo_product_id=5, quantity=Decimal("35")), LineVals(odoo_product_id=21, quantity=Decimal("4"))]
    standin.arm(kind=kind, phase=phase, model=model, method="write", seconds=1.0)
    with pytest.raises(errors.OdooUnavailable) as caught:
        gateway.set_lines(order.id, wanted)
    assert caught.value.maybe_done is True
    seen = gateway.read(order.id)
    assert [(l.product_id, l.quantity) for l in seen.lines] == (
        [(5, 35), (21, 4)] if phase == "after" else [(5, 20), (14, 10)])
    final = gateway.set_lines(order.id, wanted)
    assert [(l.product_id, l.quantity) for l in final.lines] == [(5, 35), (21, 4)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phase", ["before", "after"])
def test_confirming_again_after_a_maybe_done_confirm_confirms_once(stage, mode, kind, phase):
    standin, gateway, model, partner = stage(mode, *_stack(kind))
    order = gateway.create(key=KEY, partner_id=partner, lines=LINES)
    method = "button_confirm" if mode == "purchase" else "action_confirm"
    standin.arm(kind=kind, phase=phase, model=model, method=method, seconds=1.0)
    with pytest.raises(errors.OdooUnavailable) as caught:
        gateway.confirm(order.id)
    assert caught.value.maybe_done is True
    confirmed = "purchase" if mode == "purchase" else "sale"
    assert gateway.read(order.id).state == (confirmed if phase == "after" else "draft")
    assert gateway.confirm(order.id).state == confirmed  # sale: Odoo refuses a second confirm; the re-read says done
    assert len(orders_with_key(standin, model)) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phase", ["before", "after"])
def test_cancelling_again_after_a_maybe_done_cancel_ends_cancelled(stage, mode, kind, phase):
    standin, gateway, model, partner = stage(mode, *_stack(kind))
    order = gateway.confirm(gateway.create(key=KEY, partner_id=partner, lines=LINES).id)
    method = "button_cancel" if mode == "purchase" else "action_cancel"
    standin.arm(kind=kind, phase=phase, model=model, method=method, seconds=1.0)
    with pytest.raises(errors.OdooUnavailable) as caught:
        gateway.cancel(order.id)
    assert caught.value.maybe_done is True
    assert gateway.read(order.id).state == ("cancel" if phase == "after" else order.state)
    assert gateway.cancel(order.id).state == "cancel"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phase", ["before", "after"])
def test_marking_sent_again_after_a_maybe_done_mark_ends_sent_once(stage, mode, kind, phase):
    standin, gateway, model, partner = stage(mode, *_stack(kind))
    order = gateway.create(key=KEY, partner_id=partner, lines=LINES)
    method = "message_post" if mode == "purchase" else "action_quotation_sent"
    standin.arm(kind=kind, phase=phase, model=model, method=method, seconds=1.0)
    with pytest.raises(errors.OdooUnavailable) as caught:
        gateway.mark_sent(order.id)
    assert caught.value.maybe_done is True
    assert gateway.read(order.id).state == ("sent" if phase == "after" else "draft")
    assert gateway.mark_sent(order.id).state == "sent"
    if mode == "purchase":
        assert len(standin.state.tables["mail.message"]) == 1  # one note, not one per attempt
