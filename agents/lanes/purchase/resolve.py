"""From the router's items to order lines: a confident match is used, a close call becomes a question with up to
three buttons, an unknown product is reported with the nearest alternatives.

Pure over the local catalog (`orders.Product`): no Odoo call here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from agents.routing.decision import ExtractedItem
from agents.routing.matching import MATCH_THRESHOLD
from agents.routing.normalize import normalize
from agents.routing.units import convert, purchase_unit
from orders.models import Product

MAX_CHOICES = 3
_MASS = ("kg", "kilo", "kilos", "g", "gr", "gramos", "kilogramos")
_VOLUME = ("l", "lt", "litro", "litros", "ml", "cc")


@dataclass
class Wanted:
    """A line change the contact asked for, in the product's purchase unit."""

    code: str
    quantity: Decimal
    action: str = "set"  # set | add | remove

    def as_json(self) -> dict:
        return {"code": self.code, "quantity": str(self.quantity), "action": self.action}

    @classmethod
    def from_json(cls, data: dict) -> "Wanted":
        return cls(data["code"], Decimal(data["quantity"]), data.get("action", "set"))


@dataclass
class Question:
    """A close call: which of `options` (code, name) did the contact mean?"""

    what: str
    quantity: float
    said_unit: str | None
    action: str
    options: list[tuple[str, str]]
    kind: str = "choose"  # choose | which_line

    def as_json(self) -> dict:
        return {"what": self.what, "quantity": self.quantity, "said_unit": self.said_unit, "action": self.action,
                "options": [list(o) for o in self.options], "kind": self.kind}

    @classmethod
    def from_json(cls, data: dict) -> "Question":
        return cls(data["what"], data["quantity"], data.get("said_unit"), data["action"],
                   [tuple(o) for o in data["options"]], data.get("kind", "choose"))


@dataclass
class Resolution:
    wanted: list[Wanted] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    unknown: list[tuple[str, list[str]]] = field(default_factory=list)  # (what was said, nearest names)
    not_in_order: list[str] = field(default_factory=list)
    how_much: list[str] = field(default_factory=list)  # codes named without a quantity
    # Every product the items or the order name, read once; the lines are then validated against these rows.
    products: dict[str, Product] = field(default_factory=dict)


def resolve_items(items: list[ExtractedItem], *, order_codes: list[str], modify: bool, text: str = "") -> Resolution:
    codes = {code for item in items for code in _candidate_codes(item)} | set(order_codes)
    resolution = Resolution(products=_products(sorted(codes)))
    for item in items:
        _resolve_one(_unit_checked(item, text, resolution.products), order_codes, modify, resolution)
    return resolution


def _unit_checked(item: ExtractedItem, text: str, products: dict[str, Product]) -> ExtractedItem:
    """The router reports a confident match in the product's own unit, so "100kg aceite de coco" can come back as
    100 bottles of 500 ml. When the unit the contact said does not fit that product but fits exactly one of the
    other candidates, that one is meant."""
    said = said_unit(text, item.text)
    if not (said and item.product_code and not item.ambiguous and item.candidates):
        return item
    chosen = products.get(item.product_code)
    if chosen is None or fits_unit(said, chosen):
        return item
    fitting = [c for c in item.candidates if c.product_code in products and c.score >= MATCH_THRESHOLD
               and fits_unit(said, products[c.product_code])]
    if len(fitting) != 1:
        return item
    product = products[fitting[0].product_code]
    quantity = float(converted(product.default_code, float(item.quantity), said, product=product))
    return replace(item, product_code=product.default_code, uom=product.uom, quantity=quantity)


_UNIT_BEFORE = re.compile(r"(kg|kilos?|kilogramos?|gramos|gr|g|litros?|lt|l|ml|cc|cajas?|sacos?|unidades)\s*(de\s+)?$")


def said_unit(text: str, product_words: str) -> str | None:
    """The unit written right before the product words: "100kg aceite de coco" → "kg"."""
    haystack, needle = normalize(text), normalize(product_words).strip()
    at = haystack.find(needle) if needle else -1
    if at < 0:
        return None
    found = _UNIT_BEFORE.search(haystack[max(0, at - 30):at].strip())
    return found.group(1) if found else None


def _resolve_one(item: ExtractedItem, order_codes: list[str], modify: bool, out: Resolution) -> None:
    codes = _candidate_codes(item)
    in_order = [c for c in codes if c in order_codes]
    if modify and not codes and not item.text.strip() and item.action == "set":
        _bare_quantity(item, order_codes, out)  # "mejor que sean 150 kg"
    elif modify and item.action in ("set", "remove") and in_order and item.product_code not in order_codes:
        _use(in_order[0], item, out)  # "150 kg de aceite" means the oil already in the order
    elif item.action == "remove":
        if in_order:
            _use(in_order[0], item, out)
        else:
            out.not_in_order.append(_said(item))
    elif item.product_code and not item.ambiguous:
        _use(item.product_code, item, out)
    elif item.ambiguous and item.candidates:
        _close_call(item, out)
    else:
        out.unknown.append((_said(item), [c.name for c in item.candidates[:MAX_CHOICES] if c.score > 0]))


def _candidate_codes(item: ExtractedItem) -> list[str]:
    codes = [item.product_code] if item.product_code else []
    return list(dict.fromkeys(codes + [c.product_code for c in item.candidates]))


def _use(code: str, item: ExtractedItem, out: Resolution, *, convert_from: str | None = None) -> None:
    if item.quantity_missing and item.action != "remove":
        out.how_much.append(code)
        return
    quantity = Decimal(str(item.quantity))
    if convert_from:
        quantity = converted(code, float(item.quantity), convert_from, product=out.products.get(code))
    out.wanted.append(Wanted(code, quantity, item.action))


def _close_call(item: ExtractedItem, out: Resolution) -> None:
    products = out.products
    fitting = [c for c in item.candidates if c.product_code in products
               and fits_unit(item.uom, products[c.product_code])]
    if len(fitting) == 1:  # "100 kg de aceite de coco": only the bulk oil is sold by weight
        _use(fitting[0].product_code, item, out, convert_from=item.uom)
        return
    choices = fitting or [c for c in item.candidates if c.product_code in products]
    out.questions.append(Question(_said(item), float(item.quantity), item.uom, item.action,
                                  [(c.product_code, products[c.product_code].name) for c in choices[:MAX_CHOICES]]))


def _bare_quantity(item: ExtractedItem, order_codes: list[str], out: Resolution) -> None:
    if len(order_codes) == 1:
        _use(order_codes[0], item, out)
        return
    products = out.products
    options = [(c, products[c].name) for c in order_codes if c in products and fits_unit(item.uom, products[c])]
    options = options or [(c, products[c].name) for c in order_codes if c in products]
    if len(options) == 1:
        _use(options[0][0], item, out)
        return
    out.questions.append(Question("", float(item.quantity), item.uom, "set", options[:MAX_CHOICES],
                                  kind="which_line"))


def fits_unit(said: str | None, product: Product) -> bool:
    """Could `said` (kg, litros, cajas…) be a quantity of this product? Unknown units fit everything."""
    word = normalize(said or "")
    target = purchase_unit(product.uom, product.name)
    for words, dimension, measure in ((_MASS, "mass", "kg"), (_VOLUME, "volume", "l")):
        if word in words:
            if target.kind == "measure":
                return target.measure == measure
            return bool(target.content) and target.content[0] == dimension
    if word.startswith("caja"):
        return target.kind == "caja"
    if word.startswith("saco"):
        return target.kind == "saco"
    return True


def converted(code: str, quantity: float, said_unit: str | None, *, product: Product | None = None) -> Decimal:
    """A quantity said in `said_unit` expressed in the product's purchase unit (100 kg stays 100 for a kg
    product; 2 kilos of a 1 kg jar are 2 units). `product`: the row when the caller has it."""
    product = product or Product.objects.filter(default_code=code).first()
    if product is None:
        return Decimal(str(quantity))
    unit = _unit_key(said_unit)
    value = convert(quantity, unit, purchase_unit(product.uom, product.name))
    return Decimal(str(round(value, 3)))


def _unit_key(said: str | None) -> str | None:
    word = normalize(said or "")
    if word in _MASS:
        return "g" if word in ("g", "gr", "gramos") else "kg"
    if word in _VOLUME:
        return "ml" if word in ("ml", "cc") else "l"
    return "unit" if word in ("unidad", "unidades", "un", "u") else None


def _products(codes: list[str]) -> dict[str, Product]:
    return {p.default_code: p for p in Product.objects.filter(default_code__in=codes)}


def _said(item: ExtractedItem) -> str:
    words = item.text.strip()
    for prefix in ("de ", "del ", "quita la ", "quita el ", "quita los ", "quita las "):
        if words.lower().startswith(prefix):
            words = words[len(prefix):]
    return words or "ese producto"
