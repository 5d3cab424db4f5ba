"""What ODOO_ORDER_MODEL changes in the order services, against the Odoo stand-in: what may be ordered, who prices
the lines, marking a quote sent, and a setup that cannot work named in one sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from agents.routing.catalog import Catalog
from orders import services
from orders.models import CommandState, OdooCommand, PurchaseOrderEvent
from orders.services import InvalidOrderLines
from orders.services.lines import lines_validated
from tests.orders.factories import confirm, contact_with_conversation, create, lines, synced_catalog

pytestmark = pytest.mark.django_db


def test_each_mode_orders_only_what_odoo_lets_it(make_odoo_standin, settings):
    make_odoo_standin(version=18, protocol="jsonrpc", mode="purchase")
    synced_catalog()  # the purchase catalog, with Odoo's sale_ok kept on each product
    assert set(lines_validated(lines(("AC-COCO-KG", 10)))) == {"AC-COCO-KG"}
    settings.ODOO_ORDER_MODEL = "sale"  # switched before the next catalog sync
    with pytest.raises(InvalidOrderLines) as refused:
        lines_validated(lines(("AC-COCO-KG", 10)))  # bought in bulk, never sold
    assert refused.value.problems == [("AC-COCO-KG", "not_purchasable")]
    assert set(lines_validated(lines(("FS-ALM-KG", 2)))) == {"FS-ALM-KG"}
    catalog = Catalog.from_db()  # what the router matches against: rebuilt for the mode, flagging what it can order
    assert catalog.by_code["FS-ALM-KG"].purchase_ok and not catalog.by_code["AC-COCO-KG"].purchase_ok


def test_sale_lines_go_without_a_price_and_come_back_with_odoos(make_odoo_standin):
    standin = make_odoo_standin(version=19, protocol="json2", mode="sale")
    synced_catalog()
    customer = standin.state.search("res.partner", [("name", "=", "Café Cerro Alegre Ltda.")])[0]
    contact, conversation = contact_with_conversation(phone="+56322683301")
    order = create(contact, conversation, ("FS-ALM-KG", 20), ("GR-QUINOA-KG", 10))
    odoo = standin.state.tables["sale.order"][order.odoo_id]
    assert odoo["partner_id"] == customer and odoo["client_order_ref"] == order.idempotency_key
    prices = {line.product.default_code: (line.unit_price, line.subtotal) for line in order.lines.all()}
    assert prices == {"FS-ALM-KG": (Decimal("12900.00"), Decimal("258000.00")),  # the pricelist's fixed price
                      "GR-QUINOA-KG": (Decimal("4391.20"), Decimal("43912.00"))}  # 12% off from 10 kg
    assert order.amount_total == Decimal(str(odoo["amount_total"]))


def test_marking_sent_is_queued_with_the_quote_and_done_once(make_odoo_standin, settings):
    standin = make_odoo_standin(version=17, mode="sale")
    synced_catalog()
    contact, conversation = contact_with_conversation()
    order = create(contact, conversation, ("FS-ALM-KG", 20))
    with transaction.atomic():  # the quote's reply is queued in this transaction (the agents' notice)
        services.purchase_order_quoted(order_id=order.pk, version=order.lines_version)
    command = OdooCommand.objects.get(kind="mark_sent")
    assert command.state == CommandState.PENDING  # a row: it runs after the commit
    services.odoo_commands_run(order_id=order.pk)
    services.odoo_commands_run(order_id=order.pk)  # run twice: done once
    command.refresh_from_db()
    assert command.state == CommandState.DONE and standin.state.tables["sale.order"][order.odoo_id]["state"] == "sent"
    assert standin.state.calls.count(("sale.order", "action_quotation_sent")) == 1
    assert not PurchaseOrderEvent.objects.filter(kind="odoo_marked_sent").exclude(notice="").exists()


def test_a_push_odoo_refuses_for_the_users_rights_says_what_to_give(make_odoo_standin):
    standin = make_odoo_standin(version=18, mode="sale")
    synced_catalog()
    standin.state.tables["res.users"][2]["sale_user"] = False
    contact, conversation = contact_with_conversation()
    order = create(contact, conversation, ("FS-ALM-KG", 20))
    refused = PurchaseOrderEvent.objects.get(order=order, kind="odoo_refused")
    assert refused.detail["error"].startswith(
        "Odoo user 'admin' lacks the rights ODOO_ORDER_MODEL=sale needs: give it Sales / User: Own Documents Only")
    assert order.odoo_sync_status == "failed"


def test_an_order_keeps_its_odoo_model_when_the_mode_changes(make_odoo_standin, settings):
    standin = make_odoo_standin(version=19, protocol="json2", mode="purchase")
    settings.ORDER_APPROVAL_THRESHOLD = 100_000_000
    synced_catalog()
    contact, conversation = contact_with_conversation()
    order = create(contact, conversation, ("FS-ALM-KG", 20))
    settings.ODOO_ORDER_MODEL = "sale"  # switched while the RFQ is still open
    order = confirm(contact, conversation, order)
    assert (order.mode, order.state, order.odoo_state) == ("purchase", "confirmed", "purchase")
    assert standin.state.tables["purchase.order"][order.odoo_id]["state"] == "purchase"
    assert standin.state.tables["sale.order"] == {}
