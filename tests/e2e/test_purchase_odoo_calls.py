"""The quote path's Odoo budget (issue #4: at most 4 calls per new quote; the catalog is local)."""

from tests.e2e.conftest import buttons


def calls_for(shop, contact, text):
    before = len(shop.odoo.state.calls)
    replies = contact.says(text)
    return replies, [f"{m}.{meth}" for m, meth in shop.odoo.state.calls[before:]]


def test_a_new_contact_quote_costs_four_odoo_calls_and_a_returning_one_two(shop):
    warm = shop.contact(name="Calentamiento", phone="+56900000001")
    warm.says("quiero 2 kg de chía")  # authentication and field detection happen once per process
    ana = shop.contact()
    [quote], calls = calls_for(shop, ana, "Necesito 100kg aceite de coco y 20 kilos de almendras")
    assert buttons(quote) == ["Confirmar", "Modificar", "Cancelar"]
    assert sorted(calls) == ["purchase.order.create", "purchase.order.read", "res.partner.create",
                             "res.partner.search_read"]
    ana.says("Cancelar")
    [quote], calls = calls_for(shop, ana, "quiero 10 kg de quinoa")
    assert quote["content"].startswith("Cotización")
    assert sorted(calls) == ["purchase.order.create", "purchase.order.read"]  # partner known from her last order
    assert len({o["partner_id"] for o in shop.odoo_orders() if "Chatwoot conversation" in o["origin"]}) == 2
