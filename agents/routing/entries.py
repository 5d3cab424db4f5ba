"""One product as the router sees it: what the catalog holds and the matcher scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    name: str
    uom: str
    price: Decimal = Decimal("0")
    aliases: tuple[str, ...] = field(default_factory=tuple)
    purchase_ok: bool = True  # the order mode can order it (purchasable, or sellable in sale mode)
