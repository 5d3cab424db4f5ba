"""One product swapped for another in an order: "cambia la almendra por nuez, los mismos 10 kg", "en vez de granola
pon azúcar de coco, 4 kilos", "no era almendra, era nuez, la misma cantidad", "la quinoa no, la chía".

The old product becomes a removal (quantity 0) and the new one a line of its own, with the quantity said after it;
when none is said ("la misma cantidad") the new line has `quantity_missing` and `replaces` names the old product's
code, so the purchase agent can carry the old quantity over. A "swap" whose two sides name the same product (or
not two products at all) is not a swap: "en vez de 3 sacos de harina que sean 5" changes a quantity.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agents.routing.catalog import Catalog
from agents.routing.decision import ExtractedItem

_SWAPS = (
    re.compile(r"\b(?:cambia\w*|reemplaza\w*|sustitu\w*|change|replace|swap|switch)\b (?P<old>.+?) "
               r"\b(?:por|with|for|to)\b (?P<new>.+)"),
    re.compile(r"\ben (?:vez|lugar) de\b (?P<old>.+?) (?:, )?\b(?:pon\w*|manda\w*|envia\w*|que sea\w*|quiero|dame|"
               r"denme|mejor|necesito|anota\w*)\b (?P<new>.+)"),
    re.compile(r"\bno (?:era|eran|es|son|quiero|queria)\b (?P<old>.+?) ,? \b(?:era|eran|es|son|sino|quiero|queria)\b "
               r"(?P<new>.+)"),
    re.compile(r"\binstead of\b (?P<old>.+?) ,? (?P<new>.+)"),
    # "la quinoa no, la chía", "las almendras no, pon 3 kilos de arándanos": the first is dropped for the second
    re.compile(r"(?:^|, )(?P<old>(?:el|la|los|las) [^,;]+?) no , (?:(?:sino|mejor|era|eran|es|son) )?(?P<new>[^;]+)"),
)


def swap_items(
    tokens: list[str], catalog: Catalog, extract: Callable[[list[str]], list[ExtractedItem]]
) -> list[ExtractedItem] | None:
    """The lines of a swap, or None when the text is not one. `extract` reads the new side's lines."""
    text = " ".join(tokens)
    for pattern in _SWAPS:
        found = pattern.search(text)
        if not found:
            continue
        old = catalog.matcher.match(found.group("old"))
        new_items = [item for item in extract(found.group("new").split()) if item.product_code]
        if not old.product_code or not new_items or new_items[0].product_code == old.product_code:
            continue
        entry = catalog.get(old.product_code)
        removal = ExtractedItem(
            old.product_code, 0.0, entry.uom, found.group("old"), round(old.score, 3), action="remove"
        )
        new = new_items[0]
        new.action = "set"
        if new.quantity_missing:
            new.replaces = old.product_code
        return [removal, new, *new_items[1:]]
    return None
