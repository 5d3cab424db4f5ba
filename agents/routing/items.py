"""Order lines from chat text: split a request into segments, read each one's quantity, action and product.

"xfa 15 kls de almendra entera y 10 de nuez mariposa" -> two segments; the second borrows "kilos" from the first
because its noun was left out. A segment naming a product without a quantity either continues the previous
product's name ("granola con miel y almendras"), or, in a modification, is a line of its own ("quita el maní").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agents.routing.catalog import Catalog
from agents.routing.decision import ExtractedItem
from agents.routing.matching import MatchResult, content_words
from agents.routing.quantities import Mention, find_mentions
from agents.routing.swaps import swap_items
from agents.routing.units import convert, purchase_unit
from agents.routing.vocabulary import ADD_WORDS, CORRECTION_WORDS, REMOVE_WORDS, SET_WORDS, UNIT_WORDS

_SEPARATORS = {",", ";", "+", "y", "and", "e", "/", "\n"}


@dataclass
class Segment:
    tokens: list[str]
    mentions: list[Mention] = field(default_factory=list)
    action: str | None = None
    match: MatchResult | None = None

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def quantity(self) -> Mention | None:
        """The quantity meant: the last one that is not an old value or a size ("de 1 litro")."""
        usable = [m for m in self.mentions if not m.negated]
        strong = [m for m in usable if not m.weak]
        if len(strong) > 1:
            strong = [m for m in strong if not _is_size(self.tokens, m)] or strong
        return (strong or usable or [None])[-1]


def _is_size(tokens: list[str], mention: Mention) -> bool:
    """"de 1 litro", "saco de 25": a number describing the package, not how many."""
    before = tokens[max(0, mention.start - 2) : mention.start]
    if not before or before[-1] not in ("de", "of", "x"):
        return False
    return mention.unit is not None or (len(before) == 2 and before[0] in UNIT_WORDS)


def split_segments(tokens: list[str]) -> list[Segment]:
    """Split at separators, except the "y" inside a spelled number ("treinta y cinco")."""
    mentions = find_mentions(tokens)
    inside = {i for m in mentions for i in range(m.start, m.end)}
    segments, current, offset = [], [], 0
    for i, tok in enumerate(tokens):
        if tok in _SEPARATORS and i not in inside:
            segments.append((offset, current))
            current, offset = [], i + 1
        else:
            current.append(tok)
    segments.append((offset, current))
    result = []
    for start, seg_tokens in segments:
        own = [_shift(m, -start) for m in mentions if start <= m.start < start + len(seg_tokens)]
        result.extend(_split_run_on(Segment(seg_tokens, own)))
    return [seg for seg in result if seg.tokens]


def _line_starts(segment: Segment) -> list[int]:
    """Where a new order line begins inside a segment said without separators ("tres kilos de quinoa dos de sal"):
    before each further quantity when quantities come first, after each quantity when products come first
    ("quinoa 20 kilos chia 5 kilos"). Old values and package sizes never start a line."""
    counted = [m for m in segment.mentions if not m.negated and not m.weak and not _is_size(segment.tokens, m)]
    if len(counted) < 2:
        return []
    after_first = segment.tokens[counted[0].end : counted[0].end + 1]
    product_first = bool(content_words(" ".join(segment.tokens[: counted[0].start]))) and after_first != ["de"]
    if product_first:
        cuts = [m.end for m in counted[:-1]]
    else:
        cuts = [m.start for m in counted[1:]]
    bounds = [0, *cuts, len(segment.tokens)]
    pieces = [segment.tokens[a:b] for a, b in zip(bounds, bounds[1:])]
    return cuts if all(content_words(" ".join(piece)) for piece in pieces) else []


def _split_run_on(segment: Segment) -> list[Segment]:
    cuts = _line_starts(segment)
    if not cuts:
        return [segment]
    bounds = [0, *cuts, len(segment.tokens)]
    return [
        Segment(segment.tokens[a:b], [_shift(m, -a) for m in segment.mentions if a <= m.start < b])
        for a, b in zip(bounds, bounds[1:])
    ]


def _shift(m: Mention, by: int) -> Mention:
    return Mention(m.start + by, m.end + by, m.value, m.unit, m.negated, m.weak, m.bare_of)


_DROPPED = re.compile(r"(?:^| )(?:ya no|no va|no van|fuera|no (?:lo|la|los|las) (?:mandes|manden|pongas|pongan|quiero|"
                      r"necesito|incluyas|incluyan))(?: |$)|^sin |(?<=\w) no$")


def _action_of(tokens: list[str]) -> str | None:
    """The segment's modify action; "la quinoa no", "el cacao no va", "sin el maní" drop a line too."""
    if any(tok in REMOVE_WORDS for tok in tokens) or _DROPPED.search(" ".join(tokens)):
        return "remove"
    if any(tok in ADD_WORDS for tok in tokens):
        return "add"
    if any(tok in SET_WORDS for tok in tokens):
        return "set"
    return None


def _product_words(segment: Segment) -> str:
    """The segment without its quantity tokens, for the matcher (which drops articles and verbs itself)."""
    skip = {i for m in segment.mentions for i in range(m.start, m.end) if not _is_size(segment.tokens, m)}
    mention = segment.quantity()
    if mention is not None:
        # "te encargo 20 kilos de maní": the product is the noun phrase after the quantity, when there is one
        after = " ".join(tok for i, tok in enumerate(segment.tokens) if i >= mention.end and i not in skip)
        if content_words(after):
            return after
    return " ".join(tok for i, tok in enumerate(segment.tokens) if i not in skip)


def extract_items(tokens: list[str], catalog: Catalog, *, modify: bool) -> list[ExtractedItem]:
    if modify:
        swapped = swap_items(tokens, catalog, lambda part: _extract(part, catalog, modify=True))
        if swapped is not None:
            return swapped
    return _extract(tokens, catalog, modify=modify)


def _extract(tokens: list[str], catalog: Catalog, *, modify: bool) -> list[ExtractedItem]:
    segments = split_segments(tokens)
    action, last_unit = None, None
    items: list[ExtractedItem] = []
    previous: Segment | None = None
    said_before: list[str] = []
    for segment in segments:
        inherited = action
        if inherited == "remove" and any(not m.weak and not m.negated for m in segment.mentions):
            inherited = "set"  # "- arándanos: quitar\n- granola: 6 kg": a line with a quantity is not removed
        segment.action = _action_of(segment.tokens) or inherited
        action = segment.action
        segment.match = catalog.matcher.match(_product_words(segment))
        mention = segment.quantity()
        if mention and mention.bare_of and previous and not segment.match.product_code:
            _borrow_head_noun(segment, previous, catalog)
        if mention and mention.unit is None and (mention.bare_of or _borrows_unit(segment, mention)):
            mention.unit = last_unit
        for m in segment.mentions:
            last_unit = m.unit or last_unit
        if _for_each(segment, mention, items):
            for waiting in [item for item in items if item.quantity_missing]:
                _with_quantity(waiting, mention, last_unit, catalog)
            said_before = segment.tokens
            continue
        if _completes_previous(segment, mention, items, said_before):
            items[-1] = _with_quantity(items[-1], mention, last_unit, catalog)
            said_before = segment.tokens
            continue
        said_before = segment.tokens
        item = _item_for(segment, mention, catalog, modify=modify, previous=previous, items=items)
        if item is not None:
            items.append(item)
            previous = segment
    return items


def _borrow_head_noun(segment: Segment, previous: Segment, catalog: Catalog) -> None:
    """"10 aceites de oliva y 10 de coco": the second line left out its noun; try the previous line's."""
    head = content_words(_product_words(previous))[:1]
    if head:
        retry = catalog.matcher.match(" ".join(head + [_product_words(segment)]))
        if retry.product_code:
            segment.match = retry


_EACH = re.compile(r"\b(?:de cada (?:uno|una)|cada (?:uno|una)|c ?/ ?u|each|of each)\b")


def _for_each(segment: Segment, mention: Mention | None, items: list[ExtractedItem]) -> bool:
    """"almendras, nueces y cajú, 2 kilos de cada uno": the quantity goes to every product said without one."""
    return bool(mention and _EACH.search(segment.text) and any(item.quantity_missing for item in items))


def _completes_previous(segment: Segment, mention: Mention | None, items: list[ExtractedItem], said_before) -> bool:
    """A bare quantity that belongs to the line before: "no eran 3 sacos de harina, eran 4" (that line had no usable
    quantity), or "5 kg de chía, no perdón, 7 kg" (a correction word just took the quantity back)."""
    if not (mention and not mention.weak and not segment.match.text_words and items):
        return False
    correcting = any(tok in CORRECTION_WORDS for tok in [*said_before, *segment.tokens[: mention.start]])
    return items[-1].quantity_missing or correcting


def _with_quantity(item: ExtractedItem, mention: Mention, last_unit: str | None, catalog: Catalog) -> ExtractedItem:
    entry = catalog.get(item.product_code)
    unit = mention.unit or last_unit
    quantity = convert(mention.value, unit, purchase_unit(entry.uom, entry.name)) if entry else mention.value
    item.quantity, item.quantity_missing = round(quantity, 3), False
    return item


def _borrows_unit(segment: Segment, mention: Mention) -> bool:
    """"en vez de 3 sacos que sean 5": the new number takes the old number's unit."""
    return any(m.negated and m.unit for m in segment.mentions)


def _item_for(segment, mention, catalog, *, modify, previous, items) -> ExtractedItem | None:
    match = segment.match
    if match.product_code is None and not match.ambiguous:
        if mention is not None and not mention.weak and match.text_words:
            return _build(segment, mention, catalog, modify)  # an unknown product said with a quantity: keep it
        return None
    if mention is None and not (modify and segment.action) and items and previous is not None:
        return _extend_previous(segment, previous, items, catalog, modify)
    return _build(segment, mention, catalog, modify)


def _extend_previous(segment, previous, items, catalog, modify) -> ExtractedItem | None:
    """"granola con miel y almendras": a quantity-less product after a line may be the rest of its name."""
    joined = previous.tokens + ["y"] + segment.tokens
    combined = catalog.matcher.match(_product_words(Segment(joined, previous.mentions)))
    if combined.product_code and combined.score > previous.match.score:
        previous.tokens, previous.match = joined, combined
        items[-1] = _build(previous, previous.quantity(), catalog, modify)
        return None
    return _build(segment, None, catalog, modify)


def _build(segment: Segment, mention: Mention | None, catalog: Catalog, modify: bool) -> ExtractedItem:
    match = segment.match
    entry = catalog.get(match.product_code)
    action = segment.action or "set"
    if modify and action == "remove":
        quantity, missing = 0.0, False
    elif mention is None:
        quantity, missing = 0.0, True
    else:
        target = purchase_unit(entry.uom, entry.name) if entry else None
        quantity = convert(mention.value, mention.unit, target) if target else mention.value
        missing = False
    return ExtractedItem(
        product_code=match.product_code,
        quantity=round(quantity, 3),
        uom=entry.uom if entry else (mention.unit if mention else None),
        text=_product_words(segment),
        score=round(match.score, 3),
        ambiguous=match.ambiguous,
        candidates=match.candidates,
        action=action if modify else "set",
        quantity_missing=missing,
    )
