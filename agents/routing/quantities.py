"""Quantities and units in chat text: "100kg", "cien kilos", "media docena", "2,5 kg", "3 cajas", "un saco"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.routing.numbers import spelled_number
from agents.routing.vocabulary import (
    DOZEN_WORDS,
    HALF_WORDS,
    NEGATING_BEFORE,
    NUMBER_WORDS,
    PAIR_WORDS,
    UNIT_WORDS,
)

_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")
_ARTICLES = {"un", "una", "a", "an", "one"}  # "uno" is a pronoun for a quantity ("y uno de harina"): not weak
_QUARTERS = {"cuarto": 0.25, "cuartos": 0.25, "quarter": 0.25, "quarters": 0.25}


@dataclass
class Mention:
    start: int  # token index of the first word of the quantity
    end: int  # one past the last token (number and unit)
    value: float
    unit: str | None  # canonical unit from UNIT_WORDS, or None ("10 de nuez", "20 aceites")
    negated: bool = False  # the old value in a correction: "no eran 20", "en vez de 3"
    weak: bool = False  # a bare article ("una miel"): a quantity only if nothing better is said
    bare_of: bool = False  # number followed directly by "de"/"of": the noun was left out ("10 de nuez")


def parse_number_token(token: str) -> float | None:
    """Digits with Chilean conventions: "2,5" is 2.5, "1.000" is a thousand, "1.5" is 1.5."""
    if not _DIGITS.match(token):
        return None
    if re.match(r"^\d{1,3}(\.\d{3})+$", token):
        return float(token.replace(".", ""))
    if token.count(",") + token.count(".") > 1:
        return None
    return float(token.replace(",", "."))


def _number_at(tokens: list[str], i: int) -> tuple[float, int, bool] | None:
    """(value, next index, weak) for the number starting at token i, if any."""
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if i > 0 and tokens[i - 1] == "cada" and tok in ("uno", "una"):
        return None  # "de cada uno": each, not one
    if tok in HALF_WORDS:
        return 0.5, i + 2 if tok == "half" and nxt in ("a", "an") else i + 1, False  # "half a kilo"
    if tok in _QUARTERS and nxt in ("de", "kilo", "kg", "litro", "of"):
        return 0.25, i + 1, False  # "cuarto de kilo"
    if tok in PAIR_WORDS and nxt in ("de", "of"):
        return 2.0, i + 2, False
    if tok in ("a", "an") and nxt in UNIT_WORDS:
        return 1.0, i + 1, False  # "a box of", "a bag of"
    if tok in _ARTICLES and nxt in PAIR_WORDS:
        return 2.0, i + 3 if i + 2 < len(tokens) and tokens[i + 2] in ("de", "of") else i + 2, False
    value = parse_number_token(tok)
    if value is not None:
        return (*_and_a_half(tokens, value, i + 1), False)
    spelled = spelled_number(tokens, i)
    if spelled:
        value, j = spelled
        if j < len(tokens) and tokens[j] in _QUARTERS:  # "un cuarto", "tres cuartos"
            return value * _QUARTERS[tokens[j]], j + 1, False
        return (*_and_a_half(tokens, value, j), tok in _ARTICLES and j == i + 1)
    return None


def _and_a_half(tokens: list[str], value: float, j: int) -> tuple[float, int]:
    """"dos y medio kilos" (the half before the unit; "dos kilos y medio" is read with the unit)."""
    if tokens[j : j + 1] == ["y"] and j + 1 < len(tokens) and tokens[j + 1] in HALF_WORDS:
        return value + 0.5, j + 2
    return value, j


def _unit_at(tokens: list[str], j: int, value: float) -> tuple[float, str | None, int]:
    """Unit after a number, with dozens and halves folded in: "docena" x12, "kilo y medio" +0.5."""
    tok = tokens[j] if j < len(tokens) else ""
    if tok in DOZEN_WORDS:
        value, j = value * 12, j + 1
        if tokens[j : j + 1] == ["y"] and j + 1 < len(tokens) and tokens[j + 1] in HALF_WORDS:
            value, j = value + 6, j + 2  # "docena y media"
        if j < len(tokens) and tokens[j] in ("de", "of") and j + 1 < len(tokens) and tokens[j + 1] in UNIT_WORDS:
            return value, UNIT_WORDS[tokens[j + 1]], j + 2  # "una docena de frascos"
        return value, "unit", j
    if tok in ("de", "of") and value < 1 and j + 1 < len(tokens) and tokens[j + 1] in UNIT_WORDS:
        tok, j = tokens[j + 1], j + 1  # "un cuarto de kilo", "medio de kilo"
    if tok in UNIT_WORDS:
        unit, j = UNIT_WORDS[tok], j + 1
        if tokens[j : j + 1] in (["y"], ["e"]) and tokens[j + 1 : j + 2] in (["medio"], ["media"]):
            value, j = value + 0.5, j + 2
        return value, unit, j
    return value, None, j


def _unit_and_a_half(tokens: list[str], i: int) -> tuple[float, int, bool] | None:
    """"kilo y medio" with no number before it: one and a half of the unit."""
    if tokens[i] in UNIT_WORDS and tokens[i + 1 : i + 2] == ["y"] and tokens[i + 2 : i + 3] in (["medio"], ["media"]):
        if i == 0 or _number_at(tokens, i - 1) is None:
            return 1.0, i, False  # _unit_at adds the half
    return None


# Words that repeat the previous quantity for the next product: "otra de coco", "lo mismo de quinoa".
_SAME_AGAIN = (("otra",), ("otro",), ("another",), ("lo", "mismo"), ("la", "misma"), ("igual",), ("otro", "tanto"),
               ("the", "same"))


def _same_again(tokens: list[str], i: int, mentions: list[Mention]) -> Mention | None:
    """"una docena de aceite de oliva y otra de coco", "5 kg de almendras y lo mismo de quinoa": the words repeat
    the previous quantity."""
    if not mentions:
        return None
    for phrase in _SAME_AGAIN:
        end = i + len(phrase)
        if tuple(tokens[i:end]) == phrase and tokens[end : end + 1] in (["de"], ["of"]):
            last = mentions[-1]
            return Mention(i, end, last.value, last.unit, bare_of=True)
    return None


def find_mentions(tokens: list[str]) -> list[Mention]:
    mentions, i = [], 0
    while i < len(tokens):
        number = _number_at(tokens, i) or _unit_and_a_half(tokens, i)
        if number is None:
            again = _same_again(tokens, i, mentions)
            if again:
                mentions.append(again)
            i += 1
            continue
        value, j, weak = number
        value, unit, end = _unit_at(tokens, j, value)
        if weak and unit is None and tokens[end : end + 1] == ["de"]:
            weak = False  # "y una de mantequilla": the article stands for a count of the product after it
        elif weak and unit is None and not _looks_like_count(tokens, end):
            i += 1
            continue
        bare_of = unit is None and end < len(tokens) and tokens[end] in ("de", "of")
        mentions.append(Mention(i, end, value, unit, _negated(tokens, i), weak and unit is None, bare_of))
        i = end
    _mark_ranges(tokens, mentions)
    return mentions


def _looks_like_count(tokens: list[str], j: int) -> bool:
    """"una miel de ulmo" counts one; "una persona", "un pedido" do not: the caller keeps it weak either way."""
    # "una cosa", "una consulta": discourse markers, not a count
    return j < len(tokens) and tokens[j].isalpha() and tokens[j] not in (
        "de", "vez", "poco", "par", "cosa", "consulta", "pregunta", "duda", "pregunta", "semana", "hora", "vuelta")


def _negated(tokens: list[str], i: int) -> bool:
    before = tuple(tokens[max(0, i - 2) : i])
    if any(before[-len(pattern) :] == pattern for pattern in NEGATING_BEFORE if len(before) >= len(pattern)):
        return True
    return len(before) == 2 and before[0] == "no" and before[1].isalpha()  # "no eran 20", "no en 4"


def _mark_ranges(tokens: list[str], mentions: list[Mention]) -> None:
    """"de 20 a 30 kilos": the first number is the old value."""
    for first, second in zip(mentions, mentions[1:]):
        between = tokens[first.end : second.start]
        if between in (["a"], ["to"]) and first.start > 0 and tokens[first.start - 1] in ("de", "from"):
            first.negated = True
            second.unit = second.unit or first.unit
