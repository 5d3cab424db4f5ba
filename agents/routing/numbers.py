"""Spelled numbers in normalised (accent-free) chat text: "treinta y cinco", "mil doscientos cincuenta",
"veintidos" -> 35, 1250, 22. Spanish goes through text2num (its grammar, not a word list of ours); English and
what text2num refuses fall back to adding up the word values.

The quantity words that are not numbers to text2num ("medio", "un cuarto", "docena", "un par") are read by
`quantities.py` with the small lexicon in `vocabulary.py`.
"""

from __future__ import annotations

from text_to_num import text2num

from agents.routing.vocabulary import MULTIPLIER_WORDS, NUMBER_WORDS

# text2num wants the written accents that `normalize` removed.
_ACCENTED = {
    "veintidos": "veintidós", "veintitres": "veintitrés", "veintiseis": "veintiséis", "veintiun": "veintiuno",
    "millon": "millón", "millones": "millones",
}
_ENGLISH = frozenset("one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
                     "fifty sixty hundred thousand".split())
_ARTICLES = frozenset({"un", "una", "uno", "a", "an", "one"})


def _is_number_word(token: str) -> bool:
    return token in NUMBER_WORDS or token in MULTIPLIER_WORDS or token in ("millon", "millones")


def _run(tokens: list[str], i: int) -> list[str]:
    """The longest stretch of number words from i, with the "y" of "treinta y cinco" inside it."""
    run, j = [], i
    while j < len(tokens):
        tok = tokens[j]
        if _is_number_word(tok) and not (run and tok in _ARTICLES and run[-1] != "y"):
            run.append(tok)
        elif tok == "y" and run and j + 1 < len(tokens) and NUMBER_WORDS.get(tokens[j + 1], 99) < 10:
            run.append(tok)
        else:
            break
        j += 1
    return run


def _spanish(words: list[str]) -> float | None:
    try:
        return float(text2num(" ".join(_ACCENTED.get(w, w) for w in words), "es"))
    except ValueError:
        return None


def _added_up(words: list[str]) -> float:
    total, current = 0.0, 0.0
    for word in words:
        if word == "y":
            continue
        if word in ("hundred",):
            current = (current or 1) * 100
        elif word in MULTIPLIER_WORDS:
            total, current = total + (current or 1) * MULTIPLIER_WORDS[word], 0.0
        else:
            current += NUMBER_WORDS.get(word, 0)
    return total + current


def spelled_number(tokens: list[str], i: int) -> tuple[float, int] | None:
    """(value, index after the number) for a spelled number starting at token i, else None. The longest prefix
    text2num accepts wins ("dos mil y" stops before the "y")."""
    run = _run(tokens, i)
    while run and run[-1] == "y":
        run.pop()
    if not run:
        return None
    if not any(word in _ENGLISH for word in run):
        for end in range(len(run), 0, -1):
            value = _spanish(run[:end])
            if value is not None:
                return value, i + end
    return _added_up(run), i + len(run)
