"""A turn that fails after deciding is computed again from a clean slate: its order change, replies and session
patch commit together or not at all. The fault is injected by the database itself (a trigger that refuses the
session write once), after the order change was written in the same transaction."""

import pytest
from django.db import connection

from agents.models import Turn
from orders.models import OdooCommand, PurchaseOrder
from tests.e2e.conftest import shop  # noqa: F401  (fixture)
from tests.fakes.odoo import make_odoo_standin, odoo_standin  # noqa: F401

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the fault is a PostgreSQL trigger")

FAIL_NEXT_SESSION_WRITE = """
CREATE SEQUENCE IF NOT EXISTS fault_once;
CREATE OR REPLACE FUNCTION fail_once() RETURNS trigger AS $$
BEGIN
  -- sequences are not rolled back: only the first write after arming fails
  IF nextval('fault_once') = 1 THEN RAISE EXCEPTION 'injected fault after the order change'; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER fail_once BEFORE UPDATE ON agents_session FOR EACH ROW EXECUTE FUNCTION fail_once();
"""
DISARM = "DROP TRIGGER IF EXISTS fail_once ON agents_session; DROP SEQUENCE IF EXISTS fault_once;"


@pytest.fixture
def fail_once():
    def arm():
        with connection.cursor() as cursor:
            cursor.execute(DISARM + FAIL_NEXT_SESSION_WRITE)
    yield arm
    with connection.cursor() as cursor:
        cursor.execute(DISARM)


def test_a_failed_turn_retried_applies_its_order_change_once(shop, fail_once):  # noqa: F811
    ana = shop.contact()
    ana.says("quiero 10 kg de quinoa")
    fail_once()
    [quote] = ana.texts("agrega 10 kg de quinoa")
    assert "20 kg Quinoa blanca lavada" in quote
    [odoo_order] = shop.odoo_orders()
    assert shop.odoo_lines(odoo_order) == [("GR-QUINOA-KG", 20.0)]  # not 30
    order = PurchaseOrder.objects.get()
    assert order.lines_version == 2 and order.lines.get().quantity == 20
    assert OdooCommand.objects.filter(kind="push").count() == 2  # one per version, none twice
    assert ana.new_messages() == []
    assert Turn.objects.order_by("id").last().attempts == 2  # the fault did happen, and the turn was run again
