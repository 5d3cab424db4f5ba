"""Order lines: what may be ordered (validation against the local catalog, in the mode's notion of orderable),
writing the full set of lines, and taking Odoo's prices and quantities back."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from integrations.odoo.gateway import OdooOrder
from orders.models import Product, PurchaseOrder, PurchaseOrderLine
from orders.modes import is_orderable
from orders.services.results import InvalidOrderLines, LineInput


def lines_validated(lines: list[LineInput], *, mode: str | None = None) -> dict[str, Product]:
    """The products of `lines`, or InvalidOrderLines naming each line that cannot be ordered and why. `mode`: the
    order's (default: ODOO_ORDER_MODEL, a new order's)."""
    if not lines:
        raise InvalidOrderLines([("", "empty")])
    codes = [line.product_code for line in lines]
    products = {p.default_code: p for p in Product.objects.filter(default_code__in=codes)}
    problems = [p for p in (_problem(line, products.get(line.product_code), mode) for line in lines) if p]
    if problems:
        raise InvalidOrderLines(problems)
    return products


def _problem(line: LineInput, product: Product | None, mode: str | None) -> tuple[str, str] | None:
    code = line.product_code
    if product is None or not product.active:
        return code, "unknown"
    if not is_orderable(product, mode) or not product.odoo_product_id:  # purchase_ok, or sale_ok in sale mode
        return code, "not_purchasable"
    if Decimal(str(line.quantity)) <= 0:
        return code, "quantity"
    if Decimal(str(line.quantity)) > Decimal(str(settings.ORDER_MAX_QUANTITY_PER_LINE)):
        return code, "too_many"
    if not product.price or product.price <= 0:
        return code, "price"
    return None


def lines_replace(order: PurchaseOrder, lines: list[LineInput], products: dict[str, Product]) -> Decimal:
    """Replace the order's lines (caller holds the transaction); returns the untaxed sum at catalog prices, which
    stands until Odoo answers with its own totals."""
    # The contact's "the whole line later" holds for a line they did not change since.
    waiting = set(order.lines.filter(wait_for_stock=True).values_list("product__default_code", "quantity"))
    order.lines.all().delete()
    rows = []
    for line in lines:
        product = products[line.product_code]
        qty = Decimal(str(line.quantity))
        subtotal = (qty * product.price).quantize(Decimal("0.01"))
        rows.append(PurchaseOrderLine(order=order, product=product, quantity=qty, uom=product.uom,
                                      unit_price=product.price, subtotal=subtotal,
                                      wait_for_stock=(line.product_code, qty) in waiting))
    PurchaseOrderLine.objects.bulk_create(rows)
    return sum((row.subtotal for row in rows), Decimal(0))


def lines_from_odoo(order: PurchaseOrder, odoo: OdooOrder) -> None:
    """What Odoo made of our lines: its unit price (the vendor pricelist, or the customer's pricelist and list
    price in sale mode), discount, subtotal and the quantity received or delivered so far. Caller holds the
    transaction. Lines are matched by product (we send one line per product)."""
    by_product = {line.product_id: line for line in odoo.lines if line.product_id}
    for line in order.lines.select_related("product"):
        theirs = by_product.get(line.product.odoo_product_id)
        if theirs is None:
            continue
        PurchaseOrderLine.objects.filter(pk=line.pk).update(
            unit_price=theirs.unit_price, discount=theirs.discount, subtotal=theirs.subtotal,
            done_quantity=theirs.done_quantity)


def lines_detail(order: PurchaseOrder) -> list[dict]:
    return [{"product": l.product.default_code, "qty": str(l.quantity), "price": str(l.unit_price)}
            for l in order.lines.select_related("product")]
