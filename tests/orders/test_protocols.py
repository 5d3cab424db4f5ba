"""The whole order flow over each protocol and Odoo version the client supports."""

from __future__ import annotations

import xmlrpc.client

import pytest

from tests.orders.factories import cancel, confirm, contact_with_conversation, create, quoted, set_lines, synced_catalog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("version,protocol", [(17, "xmlrpc"), (18, "jsonrpc"), (19, "json2"), (19, "xmlrpc")])
def test_create_modify_confirm_and_cancel_over_each_protocol(make_odoo_standin, settings, version, protocol):
    standin = make_odoo_standin(version=version, protocol=protocol)
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000
    synced_catalog()
    contact, conversation = contact_with_conversation()
    created = create(contact, conversation, ("AC-COCO-KG", 100), ("FS-ALM-KG", 20))
    assert created.odoo_sync_status == "synced" and created.odoo_name == "P00001"
    changed = set_lines(contact, conversation, quoted(created), ("AC-COCO-KG", 150))
    assert changed.odoo_sync_status == "synced" and str(changed.amount_untaxed) == "1033500.00"
    confirmed = confirm(contact, conversation, quoted(changed))
    assert confirmed.state == "confirmed"
    odoo_order = standin.state.tables["purchase.order"][1]
    assert odoo_order["state"] == "purchase"
    line_uom = "product_uom_id" if version >= 19 else "product_uom"
    [line] = [standin.state.tables["purchase.order.line"][i] for i in standin.state.one2many("purchase.order", 1, "order_line")]
    assert line[line_uom] == 1  # kg, set by Odoo's defaults under this version's field name
    second = quoted(create(contact, conversation, ("FS-ALM-KG", 3)))
    cancelled = cancel(contact, conversation, second)
    assert cancelled.state == "cancelled" and standin.state.tables["purchase.order"][second.odoo_id]["state"] == "cancel"


@pytest.mark.parametrize("version,odoo_state", [(17, "done"), (19, "purchase")])
def test_a_company_that_locks_confirmed_orders_still_reads_as_confirmed(make_odoo_standin, settings, version, odoo_state):
    standin = make_odoo_standin(version=version)
    standin.state.tables["res.company"][1]["po_lock"] = "lock"
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000
    synced_catalog()
    contact, conversation = contact_with_conversation()
    confirmed = confirm(contact, conversation, quoted(create(contact, conversation, ("FS-ALM-KG", 2))))
    assert (confirmed.state, confirmed.odoo_state) == ("confirmed", odoo_state)


@pytest.mark.parametrize("path,expected_fault", [("/xmlrpc/2/", 3), ("/xmlrpc/", "AccessDenied")])
def test_standin_common_service_and_fault_codes(odoo_standin, path, expected_fault):
    common = xmlrpc.client.ServerProxy(f"{odoo_standin.url}{path}common")
    assert common.version()["server_version_info"][0] == 17
    assert common.authenticate("standin", "admin", "admin", {}) == 2
    assert common.login("standin", "admin", "wrong") is False
    obj = xmlrpc.client.ServerProxy(f"{odoo_standin.url}{path}object")
    with pytest.raises(xmlrpc.client.Fault) as caught:
        obj.execute_kw("standin", 2, "wrong", "res.partner", "search", [[]])
    assert caught.value.faultCode == expected_fault
