"""Converting a quantity said in chat into the product's purchase unit (`Product.uom`).

Purchase units look like "kg", "L", "Unidades", "Caja x12", "Saco 25 kg". A product sold by the unit may say its
content in its name ("Miel de ulmo 1 kg", "Leche de coco 400 ml"), which lets "2 kilos de miel" become 2 units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.routing.normalize import normalize

_MEASURES = {"kg": ("mass", 1.0), "g": ("mass", 0.001), "l": ("volume", 1.0), "ml": ("volume", 0.001)}
_SIZE = re.compile(r"(\d+(?:[.,]\d+)?) ?(kg|g|gr|l|lt|ml|cc)\b")


@dataclass(frozen=True)
class PurchaseUnit:
    kind: str  # "measure", "unit", "caja", "saco"
    measure: str | None = None  # "kg"/"l" for kind measure
    pack_size: float = 1.0  # pieces per caja ("Caja x12")
    content: tuple[str, float] | None = None  # ("mass", 25.0) for "Saco 25 kg"; per piece for unit/caja


def _size(text: str) -> tuple[str, float] | None:
    found = _SIZE.search(text)
    if not found:
        return None
    unit = {"gr": "g", "lt": "l", "cc": "ml"}.get(found.group(2), found.group(2))
    dimension, factor = _MEASURES[unit]
    return dimension, float(found.group(1).replace(",", ".")) * factor


def purchase_unit(uom: str, product_name: str = "") -> PurchaseUnit:
    text = normalize(uom)
    if text in ("kg", "kilo", "kilos", "kilogramos", "g", "l", "lt", "litro", "litros", "ml"):
        return PurchaseUnit("measure", "l" if text in ("l", "lt", "litro", "litros", "ml") else "kg")
    if text.startswith("saco") or text.startswith("bolsa"):
        return PurchaseUnit("saco", content=_size(text) or _size(normalize(product_name)))
    if text.startswith("caja") or text.startswith("pack"):
        pack = re.search(r"x ?(\d+)", text)
        pack_size = float(pack.group(1)) if pack else 1.0
        return PurchaseUnit("caja", pack_size=pack_size, content=_size(normalize(product_name)))
    return PurchaseUnit("unit", content=_size(normalize(product_name)))


def convert(quantity: float, unit: str | None, target: PurchaseUnit) -> float:
    """`quantity` `unit` expressed in `target`; unknown or incompatible units keep the number as said."""
    if unit is None:
        return quantity
    if target.kind == "measure":
        dimension, factor = _MEASURES.get(unit, (None, 1.0))
        return quantity * factor if dimension else quantity
    if target.kind == "caja" and unit == "unit":
        return quantity / target.pack_size
    if unit in _MEASURES and target.content:
        dimension, factor = _MEASURES[unit]
        per_piece = target.content[1] * (target.pack_size if target.kind == "caja" else 1.0)
        return quantity * factor / per_piece if dimension == target.content[0] else quantity
    return quantity
