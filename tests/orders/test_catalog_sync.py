import re
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


@pytest.mark.parametrize("version,protocol", [(17, "xmlrpc"), (18, "jsonrpc"), (19, "json2")])
def test_sale_mode_pulls_sellable_products_at_their_sales_price(make_odoo_standin, version, protocol):
    standin = make_odoo_standin(version=version, protocol=protocol, mode="sale")
    assert "Catalog synced (sale mode): created 26, updated 0, unchanged 0, deactivated 0" in run()
    coco = Product.objects.get(default_code="AC-COCO-500")
    assert (coco.price, coco.uom, coco.qty_available, coco.vendor_name) == (
        Decimal("5490.00"), "Unidades", Decimal("96.000"), "")
    assert (coco.sale_ok, coco.purchase_ok) == (True, True)
    merken = Product.objects.get(default_code="ES-MERKEN-KG")  # own production: sold, never bought
    assert (merken.sale_ok, merken.purchase_ok, merken.price) == (True, False, Decimal("16900.00"))
    assert not Product.objects.filter(default_code="AC-COCO-KG").exists()  # bought in bulk, never sold as such
    assert Product.objects.get(default_code="LG-POROTO-KG").qty_available == 0
    assert "created 0, updated 0, unchanged 26, deactivated 0" in run()

    standin.state.tables["product.product"][coco.odoo_product_id]["lst_price"] = 5990.0
    standin.state.tables["product.product"][merken.odoo_product_id]["sale_ok"] = False
    assert "created 0, updated 1, unchanged 24, deactivated 1" in run()
    assert Product.objects.get(default_code="AC-COCO-500").price == Decimal("5990.00")
    merken.refresh_from_db()
    assert (merken.active, merken.sale_ok) == (False, False)


def test_switching_modes_rewrites_the_prices_and_flags(make_odoo_standin, settings):
    make_odoo_standin(version=18)
    run()
    assert Product.objects.get(default_code="FS-ALM-KG").price == Decimal("10900.00")  # vendor price
    settings.ODOO_ORDER_MODEL = "sale"
    assert "created 3, updated 23, unchanged 0, deactivated 2" in run()  # sold-only in; bought-only out
    almonds = Product.objects.get(default_code="FS-ALM-KG")
    assert (almonds.price, almonds.vendor_name, almonds.active) == (Decimal("13900.00"), "", True)
    assert Product.objects.get(default_code="VI-MANZANA-L").active is False  # bought only


@pytest.mark.parametrize("setup,expected", [
    ({"version": 17, "protocol": "json2"}, "ODOO_PROTOCOL=json2 needs Odoo 19 or later"),
    ({"version": 18, "mode": "sale", "apps": {"purchase"}}, "has no Sales app (sale.order does not exist)"),
])
def test_sync_catalog_says_what_is_wrong_in_one_sentence(make_odoo_standin, setup, expected):
    from django.core.management.base import CommandError

    make_odoo_standin(**setup)
    with pytest.raises(CommandError, match=re.escape(expected)) as caught:
        run()
    assert str(caught.value).count(". ") == 0 and str(caught.value).endswith(".")
    assert Product.objects.count() == 0


def test_sale_mode_keeps_what_is_free_to_promise(make_odoo_standin):
    make_odoo_standin(version=19, protocol="json2", mode="sale")
    run()
    almonds = Product.objects.get(default_code="FS-ALM-KG")  # 350 on hand, 40 already promised to customers
    assert (almonds.qty_available, almonds.qty_free, almonds.available) == (
        Decimal("350.000"), Decimal("310.000"), Decimal("310.000"))


def test_sale_mode_without_the_sales_rights_says_which_to_give(make_odoo_standin):
    from django.core.management.base import CommandError

    standin = make_odoo_standin(version=18, mode="sale")
    standin.state.tables["res.users"][2]["sale_user"] = False
    with pytest.raises(CommandError, match=re.escape(
            "Odoo user 'admin' lacks the rights ODOO_ORDER_MODEL=sale needs: give it Sales / User: Own Documents "
            "Only in Odoo")):
        run()
    assert Product.objects.count() == 0
