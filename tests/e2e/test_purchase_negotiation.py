"""Create → modify (set, add, remove) → confirm, through the signed webhook, the worker, Odoo and Chatwoot."""

from prometheus_client import REGISTRY

from orders.models import PurchaseOrder
from tests.e2e.conftest import buttons


def test_quote_modify_and_confirm_under_the_threshold(shop, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000
    counted = {state: _orders_metric(state) for state in ("draft", "sent")}
    ana = shop.contact()
    [greeting] = ana.says("Hola")
    assert greeting["content"].startswith("¡Hola!")

    [quote] = ana.says("Necesito 100kg aceite de coco y 20 kilos de almendras")
    [odoo_order] = shop.odoo_orders()
    assert quote["content"].startswith(f"Cotización {odoo_order['name']} creada:")
    assert "100 kg Aceite de coco orgánico a granel × $6.890 = $689.000" in quote["content"]
    assert "20 kg Almendra entera sin tostar × $10.900 = $218.000" in quote["content"]
    assert buttons(quote) == ["Confirmar", "Modificar", "Cancelar"]
    assert shop.odoo_lines(odoo_order) == [("AC-COCO-KG", 100.0), ("FS-ALM-KG", 20.0)]
    assert odoo_order["origin"].startswith(f"Chatwoot conversation {ana.id} [")
    assert {state: _orders_metric(state) - counted[state] for state in counted} == {"draft": 1, "sent": 1}

    [updated] = ana.says("mejor que sean 150 kg de aceite")
    assert updated["content"].startswith(f"Cotización {odoo_order['name']} actualizada:")
    assert "150 kg Aceite de coco" in updated["content"]
    [updated] = ana.says("agrega 3 cajas de leche de almendra")
    assert "3 cajas x12 Leche de almendra sin azúcar 1 L × $27.900 = $83.700" in updated["content"]
    assert shop.odoo_lines(odoo_order) == [("AC-COCO-KG", 150.0), ("FS-ALM-KG", 20.0), ("LV-ALMEN-CJ12", 3.0)]
    [updated] = ana.says("quita la almendra")
    assert "Almendra entera" not in updated["content"]
    assert shop.odoo_lines(odoo_order) == [("AC-COCO-KG", 150.0), ("LV-ALMEN-CJ12", 3.0)]

    [confirmed] = ana.says("sí, confirmo")
    assert confirmed["content"].startswith(f"¡Listo! Tu pedido {odoo_order['name']} por $")
    assert shop.odoo_orders()[0]["state"] == "purchase"
    order = PurchaseOrder.objects.get()
    assert order.state == "confirmed" and order.odoo_name == odoo_order["name"]
    assert len(shop.odoo_orders()) == 1


def _orders_metric(state: str) -> float:
    return REGISTRY.get_sample_value("purchase_orders_total", {"state": state}) or 0.0
