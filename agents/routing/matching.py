"""Fuzzy matching of product words against the catalog (rapidfuzz), with scores, ties and alternatives visible.

Each product is reduced to its content words (no sizes, no articles), singular, with the head noun (the first word:
"Granola con miel y almendras" is granola) weighing double. A query scores by how well its words cover the product's
words and vice versa; each word pair is compared with `rapidfuzz.fuzz.ratio`, so typos ("aseite", "almendras")
still count. The best product wins only by a clear margin; otherwise the decision is marked ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from agents.routing.decision import Candidate
from agents.routing.entries import CatalogEntry
from agents.routing.normalize import normalize
from agents.routing.vocabulary import (
    ADD_WORDS,
    ENGLISH_GLOSSARY,
    GENERIC_HEADS,
    REMOVE_WORDS,
    SET_WORDS,
    STOPWORDS,
    UNIT_WORDS,
)

_NOT_PRODUCT = STOPWORDS | ADD_WORDS | REMOVE_WORDS | SET_WORDS  # action verbs never name a product

MATCH_THRESHOLD = 0.52  # below this the best product is not a match at all
CLEAR_MARGIN = 0.08  # the winner must lead the runner-up by this much, else the match is ambiguous
DISTINCTIVE_FLOOR = 0.7  # a query whose every word belongs to one product only scores at least this
_WORD_SIMILARITY = 80  # rapidfuzz ratio from which two words count as the same word misspelt


def singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ces"):
        return word[:-3] + "z"  # nueces -> nuez
    if len(word) > 4 and word.endswith("es") and word[-3] in "lnrdj":
        return word[:-2]  # datiles -> datil, mieles -> miel
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# An order verb with a pronoun attached ("bájala", "súbele", "sácalos", "cámbiamela") names no product.
_VERB_WITH_PRONOUN = re.compile(
    r"^(?:baj|sub|sac|saq|quit|dej|pon|cambi|agreg|sum|anad|elimin|borr|mand|envi|aument|reduc|disminu|corrig|"
    r"ajust|repon|anot|deb|carg|ech|tra)[a-z]*(?:la|lo|las|los|le|les|me|nos|mela|melo|selo|sela)$"
)


def content_words(text: str) -> list[str]:
    """The words of `text` that can name a product, English translated, singular, in order."""
    result = []
    for word in re.findall(r"[a-z]+", normalize(text)):
        if _VERB_WITH_PRONOUN.match(word):
            continue
        english_singular = word[:-3] + "y" if word.endswith("ies") else singular(word)  # cranberries
        translated = ENGLISH_GLOSSARY.get(word) or ENGLISH_GLOSSARY.get(english_singular) or word
        for part in translated.split():  # "cashew" is two Spanish words: castaña de cajú
            if part not in _NOT_PRODUCT and part not in UNIT_WORDS and len(part) >= 2:
                result.append(singular(part))
    return result


@dataclass(frozen=True)
class _Key:
    words: tuple[str, ...]
    weights: tuple[float, ...]


@dataclass
class MatchResult:
    product_code: str | None
    score: float
    ambiguous: bool
    candidates: list[Candidate]
    text_words: tuple[str, ...] = ()  # the content words that were matched


def _key(text: str) -> _Key | None:
    words = tuple(dict.fromkeys(content_words(text)))
    if not words:
        return None
    return _Key(words, tuple(2.0 if i == 0 and w not in GENERIC_HEADS else 1.0 for i, w in enumerate(words)))


def _similar_words(word: str, vocabulary: list[str]) -> dict[str, float]:
    """Catalog words that `word` could be (itself, or a misspelling of it), with similarity in [0, 1]."""
    found = {word: 1.0} if word in vocabulary else {}
    if len(word) >= 4:
        hits = process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=_WORD_SIMILARITY, limit=None)
        for other, ratio, _ in hits:
            if len(other) >= 4:
                found[other] = max(found.get(other, 0.0), ratio / 100)
    return found


class ProductMatcher:
    """Prepared once per catalog: product keys plus an index from each word to the products using it, so a query
    only scores the products that share a (possibly misspelt) word with it."""

    def __init__(self, entries: list[CatalogEntry]):
        self.entries = entries
        self.keys: list[tuple[CatalogEntry, list[_Key]]] = []
        self.index: dict[str, set[int]] = {}
        for position, entry in enumerate(entries):
            keys = [k for k in (_key(text) for text in (entry.name, *entry.aliases)) if k]
            self.keys.append((entry, keys))
            for word in {w for key in keys for w in key.words}:
                self.index.setdefault(word, set()).add(position)
        self.vocabulary = list(self.index)

    def score_all(self, words: list[str]) -> list[tuple[float, CatalogEntry]]:
        similar = {word: _similar_words(word, self.vocabulary) for word in words}
        positions = {p for matches in similar.values() for w in matches for p in self.index[w]}
        scored = []
        for position in positions:
            entry, keys = self.keys[position]
            score = max((_score(similar, key) for key in keys), default=0.0)
            if self._only_this_product(similar, position):
                score = max(score, DISTINCTIVE_FLOOR)
            scored.append((score, entry))
        return sorted(scored, key=lambda pair: (-pair[0], pair[1].code))

    def _only_this_product(self, similar: dict[str, dict[str, float]], position: int) -> bool:
        """Every word said names this product and no other ("cajú" in a catalog with one cashew product): the
        words point at it even if they cover little of its name."""
        return all(
            any(self.index[w] == {position} for w, ratio in matches.items() if ratio >= 0.85)
            for matches in similar.values()
        )

    def _without_descriptions(self, text: str, words: list[str]) -> list[str]:
        """A word the catalog has no likeness for, said right after a known product word, describes it ("cacao
        amargo", "almendras bien frescas") and cannot tell products apart: it is left out of the score. After "de"
        it names another kind ("leche de soya") and stays, so what we do not sell is not matched to what we do."""
        if not words or not _similar_words(words[0], self.vocabulary):
            return words
        described, previous = set(), ""
        for token in normalize(text).split():
            for word in content_words(token):
                if previous not in ("de", "of", "con", "with") and not _similar_words(word, self.vocabulary):
                    described.add(word)
            previous = token
        kept = [word for word in words if word not in described]
        return kept or words

    def match(self, text: str) -> MatchResult:
        words = self._without_descriptions(text, content_words(text))
        if not words:
            return MatchResult(None, 0.0, False, [])
        ranked = [pair for pair in self.score_all(words) if pair[0] > 0]
        candidates = [Candidate(entry.code, entry.name, round(score, 3)) for score, entry in ranked[:3]]
        said = tuple(words)
        if not ranked or ranked[0][0] < MATCH_THRESHOLD:
            return MatchResult(None, ranked[0][0] if ranked else 0.0, False, candidates, said)
        best = ranked[0][0]
        close = [c for c in candidates if best - c.score < CLEAR_MARGIN]
        if len(close) > 1:
            return MatchResult(None, best, True, close, said)
        return MatchResult(ranked[0][1].code, best, False, candidates, said)


def _score(similar: dict[str, dict[str, float]], key: _Key) -> float:
    """0.35 x how much of the query the product explains + 0.65 x how much of the product the query names."""
    best_for_product = [max(matches.get(w, 0.0) for matches in similar.values()) for w in key.words]
    if not any(best_for_product):
        return 0.0
    product_cover = sum(s * wt for s, wt in zip(best_for_product, key.weights)) / sum(key.weights)
    query_cover = sum(max((matches.get(w, 0.0) for w in key.words)) for matches in similar.values()) / len(similar)
    return 0.35 * query_cover + 0.65 * product_cover
