"""Order lines: what may be ordered (validation against the local catalog, in the mode's notion of orderable),
writing the full set of lines, and taking Odoo's prices and quantities back."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from integrations.odoo.gateway import OdooOrder
from orders.models import Product, PurchaseOrder, PurchaseOrderLine
from orders.modes import is_orderable
from orders.services.results import InvalidOrderLines, LineInput


def lines_validated(lines: list[LineInput], *, mode: str | None = None,
                    known: dict[str, Product] | None = None) -> dict[str, Product]:
    """The products of `lines`, or InvalidOrderLines naming each line that cannot be ordered and why. `mode`: the
    order's (default: ODOO_ORDER_MODEL, a new order's). `known`: products the caller read for these lines moments
    ago (the turn's decision), used as they are."""
    if not lines:
        raise InvalidOrderLines([("", "empty")])
    codes = [line.product_code for line in lines]
    if known and all(code in known for code in codes):
        products = {code: known[code] for code in codes}
    else:
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


def line_subtotal(line: LineInput, products: dict[str, Product]) -> Decimal:
    return (Decimal(str(line.quantity)) * products[line.product_code].price).quantize(Decimal("0.01"))


def lines_current(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    """The order's lines with their products, read once for the audit row and for what lines_replace keeps."""
    return list(order.lines.select_related("product"))


def lines_replace(order: PurchaseOrder, lines: list[LineInput], products: dict[str, Product], *,
                  current: list[PurchaseOrderLine] = ()) -> tuple[Decimal, list]:
    """Write the order's lines in place of `current` (as the caller read them under its lock; none for a new
    order); returns the untaxed sum at catalog prices, which stands until Odoo answers with its own totals, and the
    lines as the audit row keeps them."""
    # The contact's "the whole line later" holds for a line they did not change since.
    waiting = {(l.product.default_code, l.quantity) for l in current if l.wait_for_stock}
    if current:
        order.lines.all().delete()
    rows = []
    for line in lines:
        product = products[line.product_code]
        qty = Decimal(str(line.quantity))
        rows.append(PurchaseOrderLine(order=order, product=product, quantity=qty, uom=product.uom,
                                      unit_price=product.price, subtotal=line_subtotal(line, products),
                                      wait_for_stock=(line.product_code, qty) in waiting))
    PurchaseOrderLine.objects.bulk_create(rows)
    return sum((row.subtotal for row in rows), Decimal(0)), lines_detail(rows)


def lines_from_odoo(order: PurchaseOrder, odoo: OdooOrder) -> None:
    """What Odoo made of our lines: its unit price (the vendor pricelist, or the customer's pricelist and list
    price in sale mode), discount, subtotal and the quantity received or delivered so far. Caller holds the
    transaction. Lines are matched by product (we send one line per product)."""
    by_product = {line.product_id: line for line in odoo.lines if line.product_id}
    for line in order.lines.select_related("product"):
        theirs = by_product.get(line.product.odoo_product_id)
        if theirs is None:
            continue
        values = {"unit_price": theirs.unit_price, "discount": theirs.discount, "subtotal": theirs.subtotal,
                  "done_quantity": theirs.done_quantity}
        if any(_differs(getattr(line, name), value) for name, value in values.items()):  # most reads change nothing
            PurchaseOrderLine.objects.filter(pk=line.pk).update(**values)


def _differs(ours, theirs) -> bool:
    if theirs is None:
        return ours is not None
    return Decimal(str(ours)) != Decimal(str(theirs))


def lines_detail(lines: list[PurchaseOrderLine]) -> list[dict]:
    return [{"product": l.product.default_code, "qty": str(l.quantity), "price": str(l.unit_price)} for l in lines]
