from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from orders.models import Product

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("sync_catalog", "--no-progress", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("version", [17, 19])
def test_sync_catalog_pulls_purchasable_products_and_is_idempotent(make_odoo_standin, version):
    standin = make_odoo_standin(version=version)
    assert "created 25, updated 0, unchanged 0, deactivated 0" in run()
    almond = Product.objects.get(default_code="FS-ALM-KG")
    assert (almond.name, almond.uom, almond.price, almond.qty_available) == (
        "Almendra entera sin tostar", "kg", Decimal("10900.00"), Decimal("350.000"))
    assert almond.vendor_name == "Frutos Secos del Maule SpA"
    assert Product.objects.get(default_code="FS-PASAS-KG").price == Decimal("4190.00")  # no vendor: the cost
    assert Product.objects.get(default_code="LV-ALMEN-CJ12").uom == "Caja x12"
    assert not Product.objects.filter(default_code="ES-MERKEN-KG").exists()  # not purchasable
    assert "created 0, updated 0, unchanged 25, deactivated 0" in run()

    seller = next(s for s in standin.state.tables["product.supplierinfo"].values() if s["product_id"] == almond.odoo_product_id)
    seller["price"] = 11500.0
    standin.state.tables["product.product"][Product.objects.get(default_code="LG-POROTO-KG").odoo_product_id]["purchase_ok"] = False
    assert "created 0, updated 1, unchanged 23, deactivated 1" in run()
    assert Product.objects.get(default_code="FS-ALM-KG").price == Decimal("11500.00")
    assert Product.objects.get(default_code="LG-POROTO-KG").active is False


def test_sync_catalog_reports_odoo_down_clearly(odoo_standin, settings):
    from django.core.management.base import CommandError

    settings.ODOO_RETRY_ATTEMPTS = 1
    odoo_standin.down()
    with pytest.raises(CommandError, match="OdooUnavailable"):
        run()
    assert Product.objects.count() == 0


def test_sync_catalog_is_scheduled():
    from core.schedules import collect_schedules

    assert "orders.tasks.sync_catalog" in {s["func"] for s in collect_schedules()}
