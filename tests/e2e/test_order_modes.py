"""Both order modes end to end, on Odoo 17, 18 and 19 over XML-RPC, JSON-RPC and (19) JSON-2.

Every cell (version × protocol × mode) runs the core journey once: an order in chat becomes a quotation in Odoo
with the right lines and Odoo's prices, the quote in chat names the order and its total in CLP, Odoo marks it sent,
"sí" confirms it in Odoo and the contact hears when it arrives. Each other scenario runs in one cell per mode
(`SCENARIO_CELLS`), so the matrix is covered without running everything everywhere:

| cell | purchase | sale |
| --- | --- | --- |
| 17 xmlrpc | partial then full receipt | cancelling a sent quotation (17's cancel wizard) |
| 17 jsonrpc | a notice past 24 h as a template | available now, from the stock question |
| 18 xmlrpc | mark-sent applied then failed | partial then full delivery |
| 18 jsonrpc | approval in the admin | a notice past 24 h as a template |
| 19 xmlrpc | — | mark-sent applied then failed |
| 19 jsonrpc | — | the whole line later, from the stock question |
| 19 json2 | cancelling | approval in the admin |
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.lanes.purchase import texts
from conversations.models import Conversation, Direction, Message, MessageTemplate
from integrations.odoo.gateway.types import when
from orders.models import CommandState, OdooCommand, PurchaseOrder, PurchaseOrderEvent
from orders.services.common import clp
from orders.tasks import sweep_odoo_commands, watch_orders
from tests.e2e.conftest import admin_decide, admin_login, buttons

CELLS = [(17, "xmlrpc"), (17, "jsonrpc"), (18, "xmlrpc"), (18, "jsonrpc"), (19, "xmlrpc"), (19, "jsonrpc"),
         (19, "json2")]
MODES = ["purchase", "sale"]
# What each mode's contact orders, and what Odoo should hold for it: (code, quantity). The sale contact is a
# customer Odoo already knows, on its wholesale pricelist, so Odoo's prices differ from our catalog's.
ORDERS = {
    "purchase": ("Necesito 100kg aceite de coco y 20 kilos de almendras", [("AC-COCO-KG", 100), ("FS-ALM-KG", 20)]),
    "sale": ("Necesito 20 kilos de almendras y 10 kg de quinoa", [("FS-ALM-KG", 20), ("GR-QUINOA-KG", 10)]),
}
CONTACTS = {"purchase": {"name": "Almacén Las Lilas", "phone": "+56987654321"},
            "sale": {"name": "Café Cerro Alegre", "phone": "+56322683301"}}
CONFIRMED = {"purchase": "purchase", "sale": "sale"}


def cell_id(cell) -> str:
    return "-".join(str(part) for part in cell)


def journey_cells():
    return [pytest.param(version, protocol, mode, id=f"{version}-{protocol}-{mode}")
            for mode in MODES for version, protocol in CELLS]


def scenario(purchase: tuple[int, str], sale: tuple[int, str]):
    """One cell per mode for a scenario (see the table above)."""
    return pytest.mark.parametrize("version,protocol,mode", [
        pytest.param(*purchase, "purchase", id=f"{cell_id(purchase)}-purchase"),
        pytest.param(*sale, "sale", id=f"{cell_id(sale)}-sale")])


# --- the journey, in every cell ----------------------------------------------------------------------------------
@pytest.mark.parametrize("version,protocol,mode", journey_cells())
def test_order_quote_sent_and_confirmed_in_odoo(make_shop, settings, version, protocol, mode):
    shop = make_shop(version=version, protocol=protocol, mode=mode)
    settings.ORDER_APPROVAL_THRESHOLD = 100_000_000
    contact, odoo_order = quoted(shop, mode)
    assert odoo_order["state"] == "sent"  # marked sent once the quote was posted, and nothing was e-mailed
    [notice] = contact.says("sí")
    odoo_order = shop.odoo_orders()[0]
    assert odoo_order["state"] == CONFIRMED[mode]
    order = PurchaseOrder.objects.get()
    assert order.state == "confirmed" and order.expected_at == expected(shop, odoo_order)
    assert notice["content"] == (f"¡Listo! Tu pedido {odoo_order['name']} por {clp(odoo_order['amount_total'])} "
                                 f"quedó confirmado. Llega {texts.day(order.expected_at)}.")
    assert len(shop.odoo_orders()) == 1


def quoted(shop, mode: str):
    """The contact orders; Odoo has the quotation with the right lines and its own prices, and the contact gets the
    quote naming it, with Odoo's total."""
    text, lines = ORDERS[mode]
    contact = shop.contact(**CONTACTS[mode])
    [quote] = contact.says(text)
    [odoo_order] = shop.odoo_orders()
    priced = shop.odoo_priced_lines(odoo_order)
    assert [(code, qty) for code, qty, _ in priced] == sorted(lines)
    content = quote["content"]
    assert content.startswith(f"Cotización {odoo_order['name']} creada:")
    assert f"Total: {clp(odoo_order['amount_total'])}" in content
    for _code, _qty, price in priced:
        assert f"× {clp(price)} =" in content  # Odoo's price, as the quote shows it
    assert buttons(quote) == ["Confirmar", "Modificar", "Cancelar"]
    if mode == "sale":  # the customer's wholesale pricelist: not our catalog's list price
        assert dict((c, p) for c, _, p in priced)["FS-ALM-KG"] == 12900
    return contact, shop.odoo_orders()[0]


def expected(shop, odoo_order: dict):
    if shop.mode == "purchase":
        return when(odoo_order["date_planned"])
    return when(odoo_order.get("commitment_date")) or when(odoo_order["expected_date"])


# --- approval, cancel ----------------------------------------------------------------------------------------------
@scenario(purchase=(18, "jsonrpc"), sale=(19, "json2"))
def test_above_the_threshold_staff_approve_in_the_admin(make_shop, settings, approver, client, version, protocol,
                                                        mode):
    shop = make_shop(version=version, protocol=protocol, mode=mode)
    settings.ORDER_APPROVAL_THRESHOLD = 1
    contact, odoo_order = quoted(shop, mode)
    [review] = contact.texts("sí, confirmo")
    assert "en revisión" in review and shop.odoo_orders()[0]["state"] == "sent"
    order = PurchaseOrder.objects.get()
    assert order.state == "to_approve"
    admin_login(client, approver)
    assert "approved and confirmed in Odoo" in admin_decide(client, order.pk, "approve_orders")
    odoo_order = shop.odoo_orders()[0]
    assert odoo_order["state"] == CONFIRMED[mode]
    [notice] = contact.new_messages()
    order.refresh_from_db()
    assert notice["content"].startswith(f"¡Buenas noticias! Tu pedido {odoo_order['name']}")
    assert notice["content"].endswith(f"Llega {texts.day(order.expected_at)}.")
    assert order.state == "confirmed" and order.approved_by == approver


@scenario(purchase=(19, "json2"), sale=(17, "xmlrpc"))
def test_the_contact_cancels_a_sent_quotation_and_odoo_cancels_it(make_shop, version, protocol, mode):
    shop = make_shop(version=version, protocol=protocol, mode=mode)
    contact, odoo_order = quoted(shop, mode)
    assert odoo_order["state"] == "sent"  # 17/18 answer a sent sale order's cancel with a wizard, unless told
    [reply] = contact.texts("Cancelar")
    assert reply == f"Listo, cancelamos tu pedido {odoo_order['name']}. Si necesitas algo más, escríbenos."
    assert shop.odoo_orders()[0]["state"] == "cancel"
    assert PurchaseOrder.objects.get().state == "cancelled"


# --- goods received (purchase) or delivered (sale), told once each --------------------------------------------------
@scenario(purchase=(17, "xmlrpc"), sale=(18, "xmlrpc"))
def test_a_partial_then_full_receipt_or_delivery_is_told_once_each(make_shop, settings, version, protocol, mode):
    shop = make_shop(version=version, protocol=protocol, mode=mode)
    settings.ORDER_APPROVAL_THRESHOLD = 100_000_000
    contact, odoo_order = quoted(shop, mode)
    contact.says("sí")
    almond = line_id(shop, odoo_order, "FS-ALM-KG")
    move = shop.odoo.state.receive if mode == "purchase" else shop.odoo.state.deliver
    verb = "llegaron" if mode == "purchase" else "te entregamos"
    name = odoo_order["name"]

    move(odoo_order["id"], {almond: 12})
    watch_orders(), watch_orders()
    [partial] = contact.new_messages()
    assert partial["content"] == (f"Tu pedido {name}: {verb} 12 de 20 kg de Almendra entera sin tostar; el resto "
                                  "sigue pendiente.")
    move(odoo_order["id"], {almond: 8})
    watch_orders(), watch_orders()
    [more] = contact.new_messages()
    assert f"{verb} los 20 kg de Almendra entera sin tostar; el resto" in more["content"]
    assert PurchaseOrder.objects.get().state == "confirmed"

    move(odoo_order["id"])  # the rest
    watch_orders(), watch_orders()
    [full] = contact.new_messages()
    done = "ya fue recibido en bodega." if mode == "purchase" else "ya fue entregado completo."
    assert full["content"].startswith(f"Tu pedido {name} {done}")
    order = PurchaseOrder.objects.get()
    assert order.state == "received" and order.lines.get(product__default_code="FS-ALM-KG").done_quantity == 20
    assert PurchaseOrderEvent.objects.filter(order=order, kind="partly_done", notice="told").count() == 2


def line_id(shop, odoo_order: dict, code: str) -> int:
    products = shop.odoo.state.tables["product.product"]
    return next(line["id"] for line in shop.odoo.state.tables[shop.line_model].values()
                if line["order_id"] == odoo_order["id"] and products[line["product_id"]]["default_code"] == code)


# --- WhatsApp past 24 hours ------------------------------------------------------------------------------------------
@scenario(purchase=(17, "jsonrpc"), sale=(18, "jsonrpc"))
def test_a_notice_past_24_hours_goes_as_the_template_staff_set(make_shop, settings, client, django_user_model,
                                                               version, protocol, mode):
    shop = make_shop(version=version, protocol=protocol, mode=mode)
    settings.ORDER_APPROVAL_THRESHOLD = 100_000_000
    admin = django_user_model.objects.create_superuser("jefa", password="pw-jefa-e2e")
    client.force_login(admin)
    page = client.post("/admin/conversations/messagetemplate/add/", {
        "notice_kind": "received", "name": "pedido_actualizado", "language": "es", "category": "UTILITY",
        "parameters": '["contact_name", "order_name", "status"]', "active": "on"})
    assert page.status_code == 302, page.content.decode()[:2000]  # checked against the inbox's templates
    contact, odoo_order = quoted(shop, mode)
    contact.says("sí")
    two_days_later(shop, contact)

    (shop.odoo.state.receive if mode == "purchase" else shop.odoo.state.deliver)(odoo_order["id"])
    watch_orders()
    [sent] = contact.new_messages()
    status = "recibido en bodega" if mode == "purchase" else "entregado"
    [template] = shop.chatwoot.sent_templates
    assert (template["name"], template["language"], template["status"]) == ("pedido_actualizado", "es", "sent")
    said = f"Hola {CONTACTS[mode]['name']}, tu pedido {odoo_order['name']} está {status}."
    assert template["rendered"] == said and sent["content"] == said
    assert PurchaseOrder.objects.get().conversation.mode == "bot"  # nothing for staff to pick up


def two_days_later(shop, contact) -> None:
    """The contact wrote last two days ago: WhatsApp's window is closed (Chatwoot's `can_reply` false)."""
    shop.chatwoot.set_can_reply(contact.id, False)
    two_days_ago = timezone.now() - timedelta(days=2)
    Message.objects.filter(direction=Direction.INBOUND).update(created_at=two_days_ago)
    Conversation.objects.update(last_inbound_at=two_days_ago)
    assert MessageTemplate.objects.filter(notice_kind="received", active=True).exists()


# --- mark-sent applied, then failed ---------------------------------------------------------------------------------
@scenario(purchase=(18, "xmlrpc"), sale=(19, "xmlrpc"))
def test_mark_sent_applied_then_failed_is_looked_up_not_repeated(make_shop, version, protocol, mode):
    shop = make_shop(version=version, protocol=protocol, mode=mode)
    model = shop.model
    action = "message_post" if mode == "purchase" else "action_quotation_sent"
    shop.odoo.arm(kind="reset", phase="after", model=model, method=action)  # Odoo saved it; the answer is lost
    contact, odoo_order = quoted(shop, mode)
    assert [f["method"] for f in shop.odoo.faults.applied] == [action]
    command = OdooCommand.objects.get(kind="mark_sent")
    assert command.state == CommandState.DONE and command.result["odoo_state"] == "sent"  # looked up at once

    # The worker dies before recording an outcome: the command is still `running` when the sweep finds it, and the
    # order holds what the push read (a draft).
    OdooCommand.objects.filter(pk=command.pk).update(state=CommandState.RUNNING)
    PurchaseOrder.objects.update(odoo_state="draft")
    assert sweep_odoo_commands() == {"orders": 1, "finished": 1}
    command.refresh_from_db()
    assert command.state == CommandState.DONE and command.result["found"] == "sent"  # read first, not repeated
    assert [c for c in shop.odoo.state.calls if c == (model, action)] == [(model, action)]
    if mode == "purchase":  # the one internal note that marks the RFQ sent: no second one
        notes = [m for m in shop.odoo.state.tables["mail.message"].values() if m["res_id"] == odoo_order["id"]]
        assert [n["message_type"] for n in notes] == ["comment"]
    order = PurchaseOrder.objects.get()
    assert (order.state, order.odoo_state, shop.odoo_orders()[0]["state"]) == ("sent", "sent", "sent")
    assert contact.new_messages() == []  # Odoo's bookkeeping: nothing to tell the contact


# --- sale mode: more than the stock available now -------------------------------------------------------------------
@pytest.mark.parametrize("version,protocol", [pytest.param(17, "jsonrpc", id="17-jsonrpc-sale")])
def test_a_line_above_the_stock_available_is_offered_what_there_is_now(make_shop, version, protocol):
    shop = make_shop(version=version, protocol=protocol, mode="sale")
    contact = shop.contact(**CONTACTS["sale"])
    quote, question = contact.says("Necesito 400 kilos de almendras")
    assert "⚠ disponible hoy: 310 kg" in quote["content"]
    assert question["content"].startswith("De Almendra entera sin tostar tenemos 310 kg disponibles hoy y pediste "
                                          "400 kg.")
    assert buttons(question) == ["Lo disponible ahora", "Todo más adelante"]
    [requote] = contact.says("Lo disponible ahora")
    [odoo_order] = shop.odoo_orders()
    assert shop.odoo_lines(odoo_order) == [("FS-ALM-KG", 310)]
    assert requote["content"].startswith(f"Cotización {odoo_order['name']} actualizada:")
    assert "• 310 kg Almendra entera sin tostar × $12.900 = $3.999.000" in requote["content"]
    assert "disponible hoy" not in requote["content"]


@pytest.mark.parametrize("version,protocol", [pytest.param(19, "jsonrpc", id="19-jsonrpc-sale")])
def test_the_whole_line_later_keeps_it_and_the_quote_stands(make_shop, settings, version, protocol):
    shop = make_shop(version=version, protocol=protocol, mode="sale")
    settings.ORDER_APPROVAL_THRESHOLD = 100_000_000
    contact = shop.contact(**CONTACTS["sale"])
    contact.says("Necesito 400 kilos de almendras")
    calls = len(shop.odoo.state.calls)
    [reply] = contact.says("Todo más adelante")
    assert reply["content"] == ("Perfecto: mantenemos 400 kg de Almendra entera sin tostar; te los enviamos apenas "
                                "tengamos stock.\n¿Confirmamos el pedido?")
    assert buttons(reply) == ["Confirmar", "Modificar", "Cancelar"]
    assert len(shop.odoo.state.calls) == calls  # nothing changes in Odoo: the quotation stands
    assert PurchaseOrder.objects.get().lines.get().wait_for_stock
    contact.says("Confirmar")
    [odoo_order] = shop.odoo_orders()
    assert odoo_order["state"] == "sale" and shop.odoo_lines(odoo_order) == [("FS-ALM-KG", 400)]
