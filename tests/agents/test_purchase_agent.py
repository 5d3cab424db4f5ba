"""The purchase agent's edges, seen from the contact's side (signed webhook → agent → Chatwoot stand-in), plus the
pure helpers it formats with."""

from decimal import Decimal

from agents.lanes import LANE_AGENTS, AgentTurn
from agents.lanes.purchase import texts
from agents.lanes.options import match_option
from agents.routing import route
from agents.session import session_load
from conversations.models import Conversation
from orders.models import PurchaseOrder
from tests.e2e.conftest import buttons, shop  # noqa: F401  (fixture)
from tests.fakes.odoo import make_odoo_standin, odoo_standin  # noqa: F401


def test_quantities_and_units_read_the_chilean_way():
    assert texts.quantity(Decimal("100.000")) == "100"
    assert texts.quantity(Decimal("2.500")) == "2,5"
    assert texts.unit_label("Caja x12", 3) == "cajas x12" and texts.unit_label("Caja x12", 1) == "caja x12"
    assert texts.unit_label("Unidades", 1) == "unidad"
    assert texts.button_title("Aceite de coco orgánico a granel") == "Aceite de coco"
    assert all(len(texts.button_title(n)) <= 20 for n in ["Harina integral saco 25 kg", "x" * 40])


def test_a_tapped_title_a_typed_number_or_the_full_name_pick_the_option():
    options = [{"title": "Harina de almendra", "value": "HA-ALMEN-KG", "name": "Harina de almendra"},
               {"title": "Harina integral saco", "value": "HA-INTEG-25", "name": "Harina integral saco 25 kg"}]
    assert match_option("Harina integral saco", options) == "HA-INTEG-25"
    assert match_option("2", options) == "HA-INTEG-25"
    assert match_option("harina de almendra!", options) == "HA-ALMEN-KG"
    assert match_option("Harina integral saco 25 kg", options) == "HA-INTEG-25"
    assert match_option("no sé", options) is None


def test_a_quantity_above_the_per_line_maximum_is_refused_plainly(shop, settings):  # noqa: F811
    settings.ORDER_MAX_QUANTITY_PER_LINE = 500
    ana = shop.contact()
    [reply] = ana.texts("quiero 900 kg de quinoa")
    assert reply == "Para Quinoa blanca lavada puedo tomar hasta 500 kg por línea; para más, un ejecutivo te ayudará."
    assert shop.odoo_orders() == [] and not PurchaseOrder.objects.exists()


def test_a_product_we_carry_but_do_not_take_orders_for_is_named_and_refused(shop):  # noqa: F811
    from django.utils import timezone

    from orders.models import Product

    Product.objects.filter(default_code="GR-QUINOA-KG").update(purchase_ok=False, updated_at=timezone.now())
    ana = shop.contact()
    [reply] = ana.texts("quiero 10 kg de quinoa")
    assert "Quinoa blanca lavada no está disponible para pedidos por este canal." in reply
    assert shop.odoo_orders() == [] and not PurchaseOrder.objects.exists()


def test_removing_the_last_line_offers_to_cancel_instead(shop):  # noqa: F811
    ana = shop.contact()
    ana.says("quiero 10 kg de quinoa")
    [reply] = ana.says("quita la quinoa")
    assert "quedaría vacío" in reply["content"] and buttons(reply) == ["Cancelar pedido"]
    [odoo_order] = shop.odoo_orders()
    assert shop.odoo_lines(odoo_order) == [("GR-QUINOA-KG", 10.0)]


def test_modify_without_details_asks_what_to_change_and_cancel_without_an_order_says_so(shop):  # noqa: F811
    ana = shop.contact()
    [reply] = ana.texts("Cancelar")
    assert reply == texts.text("nothing_to_cancel")
    ana.says("quiero 10 kg de quinoa")
    [reply] = ana.texts("Modificar")
    assert reply == texts.text("modify_how")


def test_a_bare_new_quantity_with_two_lines_asks_which_one(shop):  # noqa: F811
    ana = shop.contact()
    ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    [question] = ana.says("mejor que sean 150 kg")
    assert question["content"] == "¿Qué producto de tu pedido quieres cambiar a 150 kg?"
    assert buttons(question) == ["Aceite de coco", "Almendra entera sin"]
    [quote] = ana.says("Aceite de coco")
    assert "150 kg Aceite de coco orgánico a granel" in quote["content"]
    [odoo_order] = shop.odoo_orders()
    assert shop.odoo_lines(odoo_order) == [("AC-COCO-KG", 150.0), ("FS-ALM-KG", 20.0)]


def test_the_agent_decides_the_lines_without_writing_anything(shop):  # noqa: F811
    ana = shop.contact()
    ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    conversation = Conversation.objects.get(chatwoot_id=ana.id)
    order = PurchaseOrder.objects.get()
    text = "agrega 3 cajas de leche de almendra"
    turn = AgentTurn(conversation.pk, text, [], route(text, order_state="sent"), contact_id=order.contact_id,
                     order=order)
    calls, rows = len(shop.odoo.state.calls), list(order.lines.values_list("product_id", "quantity"))
    for _ in range(2):  # a turn computed twice decides the same and writes nothing
        result = LANE_AGENTS["purchase"].handle(turn, session_load(conversation_id=conversation.pk))
        assert result.order.action == "set_lines" and result.order.base_version == order.lines_version
        assert {(l.product_code, float(l.quantity)) for l in result.order.lines} == {
            ("AC-COCO-KG", 100.0), ("FS-ALM-KG", 20.0), ("LV-ALMEN-CJ12", 3.0)}
    assert len(shop.odoo.state.calls) == calls
    assert list(order.lines.values_list("product_id", "quantity")) == rows


def test_status_and_confirm_without_orders_say_so(shop):  # noqa: F811
    ana = shop.contact()
    [reply] = ana.texts("¿cómo va mi pedido?")
    assert reply == texts.text("status_none")
    turn = AgentTurn(Conversation.objects.get(chatwoot_id=ana.id).pk, "sí", [], route("sí", order_state="sent"))
    result = LANE_AGENTS["purchase"].handle(turn, session_load(conversation_id=turn.conversation_id))
    assert [r.content for r in result.replies] == [texts.text("nothing_to_confirm")]


def test_a_product_without_a_quantity_gets_asked_how_much_with_an_example(shop):  # noqa: F811
    ana = shop.contact()
    [reply] = ana.texts("quiero almendras")
    assert reply.startswith("¿Cuánto necesitas de Almendra entera sin tostar? Se vende por kg")
    assert "«10 kg de almendra entera sin tostar»" in reply
    [quote] = ana.texts("10 kg de almendra entera sin tostar")
    assert "10 kg Almendra entera sin tostar × $10.900 = $109.000" in quote


def test_the_answer_task_run_again_after_a_yes_confirms_once(shop, settings):  # noqa: F811
    from agents.tasks import process_inbound_message

    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000
    ana = shop.contact()
    ana.says("quiero 10 kg de quinoa")
    [confirmed] = ana.texts("sí, confirmo")
    assert confirmed.startswith("¡Listo! Tu pedido P00001")
    yes = Conversation.objects.get(chatwoot_id=ana.id).messages.filter(direction="inbound").order_by("-pk").first()
    assert process_inbound_message(yes.pk) == 0  # redelivered: already answered
    assert ana.new_messages() == []
    assert shop.odoo.state.calls.count(("purchase.order", "button_confirm")) == 1


def test_a_refused_change_leaves_the_line_as_it_was(shop, settings):  # noqa: F811
    settings.ORDER_MAX_QUANTITY_PER_LINE = 500
    ana = shop.contact()
    ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    [reply] = ana.texts("mejor que sean 900 kg de aceite")
    assert reply.startswith("Para Aceite de coco orgánico a granel puedo tomar hasta 500 kg por línea")
    [odoo_order] = shop.odoo_orders()
    assert shop.odoo_lines(odoo_order) == [("AC-COCO-KG", 100.0), ("FS-ALM-KG", 20.0)]
    [reply, quote] = ana.texts("mejor que sean 900 kg de aceite y 30 kg de almendras")
    assert "20 kg Almendra" not in quote and "30 kg Almendra entera sin tostar" in quote
    assert shop.odoo_lines(odoo_order) == [("AC-COCO-KG", 100.0), ("FS-ALM-KG", 30.0)]
