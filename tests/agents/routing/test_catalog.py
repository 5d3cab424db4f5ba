import json
from decimal import Decimal

import pytest

from agents.routing.catalog import Catalog
from orders.models import Product


def _product(code, name, uom="kg", **extra):
    return Product.objects.create(default_code=code, name=name, uom=uom, price=Decimal("1000"), **extra)


def test_from_json_reads_the_shared_format_and_keeps_non_purchasable_flagged(tmp_path):
    path = tmp_path / "catalog.json"
    rows = [
        {"default_code": "A-1", "name": "Avellana europea", "uom": "kg", "price": 9990, "purchase_ok": True},
        {"default_code": "B-2", "name": "Betarraga", "uom": "kg", "price": 990, "purchase_ok": False},
        {"default_code": "C-3", "name": "Cranberry", "uom": "kg", "price": 1, "aliases": ["arandano rojo"]},
    ]
    path.write_text(json.dumps(rows), encoding="utf-8")
    catalog = Catalog.from_json(path)
    assert [e.code for e in catalog.entries] == ["A-1", "B-2", "C-3"]
    assert catalog.get("A-1").price == Decimal("9990")
    # a product we carry but do not take orders for is still recognised, so the lane can say it cannot be ordered
    assert catalog.matcher.match("betarragas").product_code == "B-2" and not catalog.get("B-2").purchase_ok
    assert catalog.matcher.match("arandanos rojos").product_code == "C-3"  # aliases count


@pytest.mark.django_db
def test_from_db_loads_active_products_with_aliases_and_purchasability():
    _product("QUI-1", "Quinoa roja", aliases=["quinua roja"])
    _product("OLD-1", "Producto viejo", active=False)
    _product("NOP-1", "No se compra", purchase_ok=False)
    catalog = Catalog.from_db()
    assert sorted(e.code for e in catalog.entries) == ["NOP-1", "QUI-1"]
    assert catalog.get("QUI-1").aliases == ("quinua roja",)
    assert catalog.get("QUI-1").purchase_ok and not catalog.get("NOP-1").purchase_ok


@pytest.mark.django_db
def test_from_db_is_cached_until_the_table_changes(django_assert_num_queries):
    product = _product("QUI-1", "Quinoa roja")
    first = Catalog.from_db()
    with django_assert_num_queries(1):  # only the cheap change stamp
        assert Catalog.from_db() is first
    product.name = "Quinoa roja orgánica"
    product.save()
    changed = Catalog.from_db()
    assert changed is not first and changed.get("QUI-1").name == "Quinoa roja orgánica"
    _product("QUI-2", "Quinoa negra")
    assert len(Catalog.from_db()) == 2
