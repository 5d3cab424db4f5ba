"""What a turn costs the database, counted in this process for everything the turn causes: its webhook, the
ingestion task, the turn (routing, commit, the reply's post), the echo webhook and its ingestion. Tasks run inline
(django-q2 sync), the Chatwoot and Odoo stand-ins answer over HTTP. A budget that creeps up fails here."""

import pytest
from django.db import connection  # noqa: F401  (read by the skipif below)

from tests.e2e.budget import StatementBudget

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="counted on the production database")

INFO_STATEMENTS, INFO_TRANSACTIONS = 25, 8
NEW_ORDER_STATEMENTS = 60


@pytest.fixture
def warm(shop, settings):
    """Steady state: the FAQs and the catalog are already held by the worker (HOT_READ_TTL)."""
    settings.HOT_READ_TTL = 600
    contact = shop.contact()
    contact.says("Hola")
    return contact


def test_an_info_turn_costs_at_most_25_statements_in_8_transactions(warm):
    with StatementBudget() as budget:
        [reply] = warm.texts("¿a qué hora abren?")
    assert "horario" in reply.lower()
    assert budget.statements <= INFO_STATEMENTS, budget.log
    assert budget.transactions <= INFO_TRANSACTIONS, budget.log
    assert "SAVEPOINT" not in budget.kinds  # no insert-then-catch on the hot path


def test_a_purchase_turn_that_creates_an_order_stays_within_its_budget(warm):
    with StatementBudget() as budget:
        [quote] = warm.texts("quiero 10 kg de quinoa")
    assert quote.startswith("Cotización P0")
    assert budget.statements <= NEW_ORDER_STATEMENTS, budget.log
