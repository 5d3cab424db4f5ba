"""The quote path's Odoo budget, in both modes: at most 4 calls for a new contact's quote and 3 for a returning
one (the catalog is local; the order and its lines are read back in one call). Marking the quote sent in Odoo
happens after the quote is posted, and is counted apart."""

import pytest

from tests.e2e.conftest import buttons

QUOTE = {"purchase": ["purchase.order.create", "purchase.order.web_read"],
         "sale": ["sale.order.create", "sale.order.web_read"]}
# The state Odoo answered the push with says the RFQ is a draft: no read before the note that marks it sent.
MARK_SENT = {"purchase": ["purchase.order.message_post", "purchase.order.web_read"],
             "sale": ["sale.order.action_quotation_sent", "sale.order.web_read"]}
ORDERS = {"purchase": ("Necesito 100kg aceite de coco y 20 kilos de almendras", "quiero 10 kg de quinoa"),
          "sale": ("Necesito 20 kilos de almendras y 10 kg de quinoa", "quiero 10 kg de quinoa")}


def calls_for(shop, contact, text):
    """(the replies, the Odoo calls made before the quote was posted, the calls made after it)."""
    before = len(shop.odoo.state.calls)
    shop.posted_at_call.clear()
    replies = contact.says(text)
    at_quote = next(n for content, n in shop.posted_at_call if content.startswith("Cotización"))
    calls = [f"{model}.{method}" for model, method in shop.odoo.state.calls]
    return replies, calls[before:at_quote], calls[at_quote:]


@pytest.mark.parametrize("mode", ["purchase", "sale"])
def test_a_new_contact_quote_costs_four_odoo_calls_and_a_returning_one_two(make_shop, mode):
    shop = make_shop(mode=mode)
    warm = shop.contact(name="Calentamiento", phone="+56900000001")
    warm.says("quiero 2 kg de chía")  # authentication and field detection happen once per process
    ana = shop.contact()
    first, second = ORDERS[mode]
    [quote], calls, after = calls_for(shop, ana, first)
    assert buttons(quote) == ["Confirmar", "Modificar", "Cancelar"]
    assert sorted(calls) == sorted(QUOTE[mode] + ["res.partner.create", "res.partner.search_read"])
    assert after == MARK_SENT[mode]
    ana.says("Cancelar")
    [quote], calls, after = calls_for(shop, ana, second)
    assert quote["content"].startswith("Cotización")
    assert calls == QUOTE[mode]  # partner known from her last order
    assert after == MARK_SENT[mode]
    assert len({o["partner_id"] for o in shop.odoo_orders() if "Chatwoot conversation" in o["origin"]}) == 2
