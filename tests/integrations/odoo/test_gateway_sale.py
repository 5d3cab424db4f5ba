"""Quotations and sales orders through the gateway, the real client and the stand-in, per version and protocol:
pricing by Odoo, the actions and their odd returns, cancel per version, write refusals, deliveries, dates."""

from __future__ import annotations

import datetime as dt
import xmlrpc.client
from decimal import Decimal

import pytest

from integrations.models import ExternalCall
from integrations.odoo import errors
from integrations.odoo.client import get_client
from integrations.odoo.fields import detect_sale
from integrations.odoo.gateway import LineVals, orders_for, sale, sellable_products

pytestmark = pytest.mark.django_db
STACKS = [(17, "xmlrpc"), (17, "jsonrpc"), (18, "xmlrpc"), (18, "jsonrpc"), (19, "xmlrpc"), (19, "jsonrpc"),
          (19, "json2")]
DON_TITO, CAFE_MAYORISTA = 9, 10  # seeded customers: list prices; the wholesale pricelist
ALMONDS, QUINOA, CHIA, OLIVE_OIL = 5, 14, 21, 3


def lines(*pairs) -> list[LineVals]:
    return [LineVals(odoo_product_id=product, quantity=Decimal(str(qty))) for product, qty in pairs]


@pytest.fixture
def odoo(make_odoo_standin):
    def make(version: int = 19, protocol: str = "xmlrpc"):
        return make_odoo_standin(version=version, protocol=protocol, mode="sale")

    return make


@pytest.mark.parametrize("version,protocol", STACKS)
def test_a_quotation_is_priced_and_taxed_by_odoo(odoo, version, protocol):
    standin = odoo(version, protocol)
    quote = sale.create(key="k-precio", partner_id=DON_TITO, lines=lines((ALMONDS, 20), (OLIVE_OIL, 2)),
                        origin="Chatwoot conversation 3 [k-precio]", client_ref="OC-4512")
    assert (quote.name, quote.state, quote.model, quote.client_ref) == ("S00001", "draft", "sale.order", "OC-4512")
    assert [(l.product_id, l.quantity, l.unit_price, l.discount, l.subtotal, l.tax, l.total) for l in quote.lines] == [
        (ALMONDS, 20, 13900, 0, 278000, 52820, 330820), (OLIVE_OIL, 2, 47900, 0, 95800, 18202, 114002)]
    assert (quote.amount_untaxed, quote.amount_tax, quote.amount_total) == (373800, 71022, 444822)
    assert quote.lines[0].description == "[FS-ALM-KG] Almendra entera sin tostar"
    assert quote.lines[0].uom == "kg" and quote.lines[0].lead_days == 1
    raw = standin.state.tables["sale.order"][quote.id]
    assert (raw["partner_invoice_id"], raw["partner_shipping_id"], raw["origin"]) == (
        DON_TITO, DON_TITO, "Chatwoot conversation 3 [k-precio]")
    sent = ExternalCall.objects.get(method="sale.order.create").request_summary
    assert "product_uom_qty" in sent and "price_unit" not in sent  # Odoo priced it, not us


@pytest.mark.parametrize("version", [17, 18, 19])
def test_a_customer_pricelist_prices_the_lines(odoo, version):
    odoo(version)
    quote = sale.create(key="k-mayorista", partner_id=CAFE_MAYORISTA,
                        lines=lines((ALMONDS, 5), (QUINOA, 4), (CHIA, 2)))
    # fixed price for almonds; 5 % off everything else; quinoa's 12 % starts at 10 kg
    assert [(l.product_id, l.unit_price) for l in quote.lines] == [(ALMONDS, 12900), (QUINOA, Decimal("4740.5")),
                                                                   (CHIA, Decimal("5690.5"))]
    bigger = sale.set_lines(quote.id, lines((ALMONDS, 5), (QUINOA, 10), (CHIA, 2)))
    assert [(l.product_id, l.unit_price) for l in bigger.lines][1] == (QUINOA, Decimal("4391.2"))


@pytest.mark.parametrize("version,line_uom,line_taxes", [(17, "product_uom", "tax_id"), (18, "product_uom", "tax_id"),
                                                         (19, "product_uom_id", "tax_ids")])
def test_line_field_names_are_detected_per_version(odoo, version, line_uom, line_taxes):
    odoo(version)
    names = detect_sale(get_client())
    assert (names.line_uom, names.line_taxes, names.has_delivery_status) == (line_uom, line_taxes, True)
    quote = sale.create(key="k-uom", partner_id=DON_TITO, lines=lines((ALMONDS, 1)))
    [row] = get_client().read("sale.order.line", [quote.lines[0].id], [line_uom, line_taxes])
    assert row[line_uom][1] == "kg" and row[line_taxes] == [2]


@pytest.mark.parametrize("version,protocol", STACKS)
def test_mark_sent_then_confirm_and_both_again_are_harmless(odoo, version, protocol):
    odoo(version, protocol)
    quote = sale.create(key="k-flujo", partner_id=DON_TITO, lines=lines((QUINOA, 3)))
    assert sale.mark_sent(quote.id).state == "sent"  # XML-RPC: "cannot marshal None" after the save = success
    assert sale.mark_sent(quote.id).state == "sent"  # Odoo refuses a non-draft; the re-read says it is done
    confirmed = sale.confirm(quote.id)
    assert (confirmed.state, confirmed.delivery_status, confirmed.locked) == ("sale", "pending", False)
    assert sale.confirm(quote.id).state == "sale"


@pytest.mark.parametrize("version,message", [
    (17, "The following orders are not in a state requiring confirmation: S00001"),
    (19, "Some orders are not in a state requiring confirmation."),
])
def test_odoo_refuses_to_confirm_an_order_twice(odoo, version, message):
    odoo(version)
    quote = sale.confirm(sale.create(key="k-dos", partner_id=DON_TITO, lines=lines((QUINOA, 3))).id)
    with pytest.raises(errors.OdooValidationError) as caught:
        get_client().button("sale.order", "action_confirm", [quote.id])
    assert str(caught.value) == message


@pytest.mark.parametrize("version,protocol", STACKS)
def test_cancel_per_version_and_the_gateway_cancels_on_all(odoo, version, protocol):
    odoo(version, protocol)
    quote = sale.mark_sent(sale.create(key="k-anular", partner_id=DON_TITO, lines=lines((QUINOA, 3))).id)
    answer = get_client().call("sale.order", "action_cancel", ids=[quote.id])
    if version < 19:  # a sent quotation gets the sale.order.cancel wizard, and stays as it was
        assert (answer["res_model"], answer["type"], answer["name"]) == (
            "sale.order.cancel", "ir.actions.act_window", "Cancel Quotation")
        assert sale.read(quote.id).state == "sent"
    else:
        assert answer is True and sale.read(quote.id).state == "cancel"
    assert sale.cancel(quote.id).state == "cancel"


def test_a_draft_is_cancelled_at_once_on_17(odoo):
    odoo(17)
    quote = sale.create(key="k-borrador", partner_id=DON_TITO, lines=lines((QUINOA, 3)))
    assert get_client().call("sale.order", "action_cancel", ids=[quote.id]) is True
    assert sale.read(quote.id).state == "cancel"


@pytest.mark.parametrize("version", [17, 19])
def test_a_confirmed_line_is_never_removed_only_set_to_zero(odoo, version):
    odoo(version)
    order = sale.confirm(sale.create(key="k-conf", partner_id=DON_TITO, lines=lines((ALMONDS, 4), (QUINOA, 3))).id)
    with pytest.raises(errors.OdooValidationError, match="Once a sales order is confirmed, you can't remove one"):
        get_client().write("sale.order", [order.id], {"order_line": [(2, order.lines[1].id, 0)]})
    changed = sale.set_lines(order.id, lines((ALMONDS, 6), (CHIA, 1)))
    assert [(l.product_id, l.quantity) for l in changed.lines] == [(ALMONDS, 6), (QUINOA, 0), (CHIA, 1)]
    assert sale.set_lines(order.id, lines((ALMONDS, 6), (CHIA, 1))) == changed  # nothing left to change
    draft = sale.create(key="k-draft", partner_id=DON_TITO, lines=lines((ALMONDS, 4), (QUINOA, 3)))
    assert [l.product_id for l in sale.set_lines(draft.id, lines((QUINOA, 3))).lines] == [QUINOA]  # deleted


@pytest.mark.parametrize("version", [17, 19])
def test_a_locked_order_refuses_line_edits_and_cancel(odoo, version):
    standin = odoo(version)
    standin.state.tables["res.company"][1]["sale_lock_confirmed"] = True
    order = sale.confirm(sale.create(key="k-lock", partner_id=DON_TITO, lines=lines((ALMONDS, 4))).id)
    assert order.locked is True
    with pytest.raises(errors.OdooValidationError) as caught:
        sale.set_lines(order.id, lines((ALMONDS, 5)))
    assert str(caught.value) == "It is forbidden to modify the following fields in a locked order:\nQuantity"
    with pytest.raises(errors.OdooValidationError, match="You cannot cancel a locked order. Please unlock it first."):
        sale.cancel(order.id)


def test_a_line_without_a_product_is_refused(odoo):
    odoo(18)
    with pytest.raises(errors.OdooValidationError, match="Missing required fields on accountable sale order line"):
        get_client().create("sale.order", {"partner_id": DON_TITO, "order_line": [(0, 0, {"name": "algo"})]})


@pytest.mark.parametrize("version,protocol", [(17, "xmlrpc"), (18, "jsonrpc"), (19, "json2")])
def test_deliveries_show_per_line_and_on_the_order(odoo, version, protocol):
    standin = odoo(version, protocol)
    order = sale.confirm(sale.create(key="k-entrega", partner_id=DON_TITO, lines=lines((ALMONDS, 10), (QUINOA, 4))).id)
    on_hand = standin.state.tables["product.product"][ALMONDS]["qty_available"]
    standin.state.deliver(order.id, {order.lines[0].id: 6})
    partial = sale.read(order.id)
    assert partial.delivery_status == "partial" and not partial.delivered
    assert [(l.done_quantity, l.pending_quantity) for l in partial.lines] == [(6, 4), (0, 4)]
    assert standin.state.tables["product.product"][ALMONDS]["qty_available"] == on_hand - 6
    standin.state.deliver(order.id)
    full = sale.read(order.id)
    assert (full.delivery_status, full.fulfilment_status, full.delivered) == ("full", "full", True)


def test_expected_date_is_the_promise_when_there_is_one_else_the_lead_time(odoo):
    odoo(19)
    quote = sale.create(key="k-fecha", partner_id=DON_TITO, lines=lines((ALMONDS, 1), (OLIVE_OIL, 1)))
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)  # min lead time: almonds, 1 day
    assert abs((quote.expected_date - soon).total_seconds()) < 120 and quote.commitment_date is None
    promised = dt.datetime(2027, 3, 5, 15, 0, tzinfo=dt.timezone.utc)
    dated = sale.set_commitment_date(quote.id, promised)
    assert dated.commitment_date == promised and dated.expected_date == promised
    again = sale.create(key="k-fecha-2", partner_id=DON_TITO, lines=lines((QUINOA, 1)), commitment_date=promised)
    assert again.expected_date == promised


def test_the_sellable_catalog_has_sales_prices_and_stock(odoo):
    odoo(18)
    rows = {row["default_code"]: row for row in sellable_products()}
    assert "AC-COCO-KG" not in rows and "ES-MERKEN-KG" in rows  # bulk bought only; own production sold only
    coco = rows["AC-COCO-500"]
    assert (coco["lst_price"], coco["qty_available"], coco["free_qty"], coco["description_sale"]) == (
        5490.0, 96.0, 84.0, "Frasco de vidrio, prensado en frío")
    assert rows["LG-POROTO-KG"]["qty_available"] == 0 and rows["ES-MERKEN-KG"]["purchase_ok"] is False


def test_confirming_promises_stock_and_cancelling_gives_it_back(odoo):
    standin = odoo(17)
    product = standin.state.tables["product.product"][ALMONDS]
    free, forecast = product["free_qty"], product["virtual_available"]
    order = sale.confirm(sale.create(key="k-stock", partner_id=DON_TITO, lines=lines((ALMONDS, 30))).id)
    assert (product["free_qty"], product["virtual_available"]) == (free - 30, forecast - 30)
    sale.cancel(order.id)
    assert (product["free_qty"], product["virtual_available"]) == (free, forecast)


@pytest.mark.parametrize("version,protocol", [(17, "xmlrpc"), (19, "json2")])
def test_a_user_without_sales_rights_and_a_database_without_sales(make_odoo_standin, version, protocol):
    standin = make_odoo_standin(version=version, protocol=protocol, mode="sale")
    standin.state.tables["res.users"][2]["sale_user"] = False
    with pytest.raises(errors.OdooAccessError, match="not allowed to access 'Sales Order'"):
        sale.find("k-nada")
    make_odoo_standin(version=version, protocol=protocol, mode="sale", apps={"purchase"})
    with pytest.raises(errors.OdooModelMissing) as caught:
        sale.create(key="k-nada", partner_id=DON_TITO, lines=lines((ALMONDS, 1)))
    assert caught.value.model == "sale.order"


def test_orders_for_follows_the_order_model_setting(settings):
    settings.ODOO_ORDER_MODEL = "sale"
    assert orders_for() is sale
    assert orders_for("purchase").MODEL == "purchase.order"


def test_the_legacy_xmlrpc_endpoint_speaks_sale_with_string_fault_codes(make_odoo_standin):
    standin = make_odoo_standin(version=17, mode="sale", apps={"sale"})
    quote = sale.create(key="k-legado", partner_id=DON_TITO, lines=lines((QUINOA, 3)))
    legacy = xmlrpc.client.ServerProxy(f"{standin.url}/xmlrpc/object")
    with pytest.raises(xmlrpc.client.Fault) as none_result:
        legacy.execute_kw("standin", 2, "admin", "sale.order", "action_quotation_sent", [[quote.id]])
    assert none_result.value.faultCode == "cannot marshal None unless allow_none is enabled"
    assert sale.read(quote.id).state == "sent"  # saved before the fault
    with pytest.raises(xmlrpc.client.Fault) as refused:
        legacy.execute_kw("standin", 2, "admin", "sale.order", "action_quotation_sent", [[quote.id]])
    assert refused.value.faultCode == "warning -- UserError\n\nOnly draft orders can be marked as sent directly."
    with pytest.raises(xmlrpc.client.Fault) as missing:
        legacy.execute_kw("standin", 2, "admin", "purchase.order", "search", [[]])
    assert missing.value.faultCode == "warning -- UserError\n\nObject purchase.order doesn't exist"
