"""The trained intent model: logistic regression over character n-grams (typos, conjugations and missing accents
come for free), word n-grams, the order state and the rule router's cues, trained on `corpus.build_corpus()`.

`train()` is deterministic (fixed seeds, sorted vocabularies), takes a few seconds, and `manage.py train_router`
writes its artifact to `ROUTER_MODEL_PATH`. `intent_model()` loads that artifact once per process; when it is
missing, unreadable or was built from other training data (its fingerprint differs) it trains in memory and tries
to save the result, so a fresh clone needs no manual step.

Products are never features by name: text features are computed on the message with the words the catalog
matcher recognised as a product replaced by a placeholder, so the model is the same whatever the catalog.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import joblib
import numpy as np
import sklearn
from django.conf import settings
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from agents.routing import corpus
from agents.routing.catalog import Catalog, CatalogEntry
from agents.routing.clauses import is_question
from agents.routing.intents import CONTINUATION, PAST_REPORT, score_patterns
from agents.routing.matching import content_words
from agents.routing.normalize import normalize
from agents.routing.quantities import find_mentions
from agents.routing.states import possible, state_key

logger = logging.getLogger(__name__)

FEATURE_VERSION = "5"
CALIBRATION_FOLDS = 3
TEMPERATURES = tuple(round(0.5 + 0.1 * step, 1) for step in range(46))  # 0.5 .. 5.0
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Reading:
    intent: str
    p: float


def training_catalog() -> Catalog:
    """The corpus's own product names as a catalog, so the product placeholder is learnt from many names."""
    names = json.loads(corpus.SLOTS.read_text(encoding="utf-8"))["products"]
    names = [name for name in names if "{" not in name and not name.startswith(("el ", "lo ", "la "))]
    return Catalog([CatalogEntry(f"T{i}", name, "kg") for i, name in enumerate(names)])


def featurize(text: str, order_state: str | None, catalog: Catalog) -> tuple[str, str]:
    """(character view, word view) of one message. The word view carries the meta tokens."""
    normalized = normalize(text)
    masked, named = _mask_products(normalized, catalog)
    shaped = _DIGITS.sub("0", masked)
    tokens = normalized.split()
    meta = [f"zst{state_key(order_state)}"]
    meta += sorted({f"zcue{cue.split(':', 1)[0]}" for cue in score_patterns(normalized).matched})
    mentions = [m for m in find_mentions(tokens) if not m.negated]
    if any(not m.weak for m in mentions):
        meta.append("zqty")
    if any(m.unit for m in mentions):
        meta.append("zunit")
    if named:
        meta.append("zprod")
    if len(tokens) <= 2:
        meta.append("zshort")
    meta += _shape_tokens(normalized, bool(mentions))
    return shaped, shaped + " " + " ".join(meta)


def _shape_tokens(normalized: str, quantified: bool) -> list[str]:
    """How the message is said: asked or told, a report of what happened, continuing what came before."""
    shape = []
    if is_question(normalized):
        shape.append("zask")
    if PAST_REPORT.search(normalized):
        shape.append("zpast")
        if quantified:
            shape.append("zpastqty")  # "llegaron 5 de las 6 cajas" reports; "mándame 6 cajas" orders
    if CONTINUATION.match(normalized):
        shape.append("zcont")
    return shape


def _mask_products(normalized: str, catalog: Catalog) -> tuple[str, bool]:
    """Words the catalog recognises as (part of) a product name become "zprod"; runs of them collapse."""
    vocabulary = catalog.matcher.index
    out, named = [], False
    for token in normalized.split():
        if token.isalpha() and len(token) > 2 and _is_product_word(token, vocabulary):
            named = True
            if out and out[-1] == "zprod":
                continue
            out.append("zprod")
        else:
            out.append(token)
    return " ".join(out), named


def _is_product_word(token: str, vocabulary: dict) -> bool:
    words = content_words(token)
    return bool(words) and all(word in vocabulary for word in words)


# The modules whose code shapes the features: a change to any of them makes a saved model stale.
_FEATURE_MODULES = (
    "normalize", "intents", "cues", "items", "swaps", "units", "quantities", "numbers", "matching", "vocabulary",
    "states", "clauses",
)


def fingerprint() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    sources = [here / f"{name}.py" for name in _FEATURE_MODULES]
    for path in (corpus.TEMPLATES, corpus.LINES, corpus.SLOTS, Path(corpus.__file__), Path(__file__), *sources):
        digest.update(path.read_bytes())
    digest.update(f"{FEATURE_VERSION}|{sklearn.__version__}|{corpus.SEED}".encode())
    return digest.hexdigest()[:16]


class _Scorer:
    """The model's logits for one message, computed straight from the fitted vocabularies and weights.

    The same arithmetic as the vectorizers' `transform` then `decision_function` (counts, 1 + log tf, idf, l2 norm,
    a dot product per view), without scikit-learn's input checks and sparse-matrix building, which cost 20 times
    the arithmetic for a single message (about 1.4 ms against 0.07 ms), paid on every turn.
    """

    def __init__(self, vectorizers, classifier):
        self.views, offset = [], 0
        for vec in vectorizers:
            width = len(vec.vocabulary_)
            self.views.append((vec.build_analyzer(), vec.vocabulary_, vec.idf_,
                               classifier.coef_[:, offset:offset + width]))
            offset += width
        self.intercept = classifier.intercept_

    def logits(self, view_texts: tuple[str, str]) -> np.ndarray:
        out = self.intercept.copy()
        for (analyze, vocabulary, idf, weights), text in zip(self.views, view_texts):
            counts = Counter(j for j in map(vocabulary.get, analyze(text)) if j is not None)
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[columns]
            out += weights[:, columns] @ (values / np.sqrt(values @ values))
        return out


class IntentModel:
    def __init__(self, char_vec, word_vec, classifier, stamp: str, temperature: float = 1.0):
        self.char_vec, self.word_vec, self.classifier, self.fingerprint = char_vec, word_vec, classifier, stamp
        self.temperature = temperature

    def __getstate__(self):
        return {key: value for key, value in self.__dict__.items() if key != "scorer"}  # rebuilt after loading

    @cached_property
    def scorer(self) -> _Scorer:
        return _Scorer((self.char_vec, self.word_vec), self.classifier)

    def readings(self, text: str, *, order_state: str | None, catalog: Catalog) -> list[Reading]:
        """Every intent possible in `order_state`, best first, probabilities renormalised over those."""
        logits = self.scorer.logits(featurize(text, order_state, catalog))
        probabilities = _softmax(logits / self.temperature)
        pairs = [(intent, p) for intent, p in zip(self.classifier.classes_, probabilities) if possible(intent, order_state)]
        total = sum(p for _, p in pairs) or 1.0
        return sorted((Reading(str(i), float(p / total)) for i, p in pairs), key=lambda r: -r.p)


def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    char_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, dtype=np.float64)
    word_vec = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"[a-z0-9]+", sublinear_tf=True)
    return char_vec, word_vec


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _classifier(max_iter: int = 300) -> LogisticRegression:
    # balanced: how many templates an intent happens to have must not set how likely it is
    return LogisticRegression(C=4.0, solver="saga", max_iter=max_iter, tol=1e-3, random_state=0,
                              class_weight="balanced")


def _temperature(matrix, labels: np.ndarray, groups: np.ndarray) -> float:
    """Calibration: the softmax temperature that best predicts templates the model has not seen. Holding whole
    templates out (not single lines, whose siblings would be in training) keeps the held-out text as new to the
    model as a customer's message is, so the confidence says how often the model is right on new phrasings."""
    classes = np.unique(labels)
    held_logits, held_labels = [], []
    for train_rows, test_rows in GroupKFold(n_splits=CALIBRATION_FOLDS).split(matrix, labels, groups):
        # The temperature needs the scale of held-out logits, not a converged fit: 100 passes choose the same one
        # as 300 in a third of the time.
        fold = _classifier(max_iter=100).fit(matrix[train_rows], labels[train_rows])
        logits = np.full((len(test_rows), len(classes)), -1e3)
        logits[:, np.searchsorted(classes, fold.classes_)] = fold.decision_function(matrix[test_rows])
        held_logits.append(logits)
        held_labels.append(np.searchsorted(classes, labels[test_rows]))
    logits, truth = np.vstack(held_logits), np.concatenate(held_labels)

    def loss(temperature: float) -> float:
        return -float(np.mean(np.log(_softmax(logits / temperature)[np.arange(len(truth)), truth] + 1e-12)))

    return min(TEMPERATURES, key=loss)


def train(examples: list[corpus.Example] | None = None) -> IntentModel:
    examples = examples if examples is not None else corpus.build_corpus()
    catalog = training_catalog()
    views = [featurize(example.text, example.state, catalog) for example in examples]
    char_vec, word_vec = _vectorizers()
    matrix = hstack([char_vec.fit_transform([v[0] for v in views]), word_vec.fit_transform([v[1] for v in views])])
    matrix = matrix.tocsr()
    labels = np.array([example.intent for example in examples])
    temperature = _temperature(matrix, labels, np.array([example.group for example in examples]))
    classifier = _classifier().fit(matrix, labels)
    return IntentModel(char_vec, word_vec, classifier, fingerprint(), temperature)


def save(model: IntentModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    joblib.dump(model, tmp, compress=3)
    tmp.replace(path)  # atomic: another process never reads half a file


_CACHE: dict[str, IntentModel] = {}
_LOCK = threading.Lock()


def intent_model() -> IntentModel:
    """The process's model: loaded from the artifact, or trained (and saved when the path is writable)."""
    with _LOCK:
        if "model" not in _CACHE:
            _CACHE["model"] = _load_or_train(Path(settings.ROUTER_MODEL_PATH))
        return _CACHE["model"]


def forget_loaded() -> None:
    """Drop the process's model so the next `intent_model()` reads the artifact again (after a retrain)."""
    with _LOCK:
        _CACHE.pop("model", None)


def is_current(path: Path) -> bool:
    try:
        saved = joblib.load(path)
    except Exception:  # noqa: BLE001 - missing or unreadable both mean "train it"
        return False
    return isinstance(saved, IntentModel) and saved.fingerprint == fingerprint()


def _load_or_train(path: Path) -> IntentModel:
    stamp = fingerprint()
    if path.exists():
        try:
            model = joblib.load(path)
            if isinstance(model, IntentModel) and model.fingerprint == stamp:
                return model
            logger.info("router model is stale, retraining", extra={"path": str(path)})
        except Exception as exc:  # noqa: BLE001 - any unreadable artifact is rebuilt, never fatal
            logger.warning("router model unreadable, retraining", extra={"reason": repr(exc)[:300]})
    model = train()
    try:
        save(model, path)
    except OSError as exc:  # a read-only install still routes, with the model held in memory
        logger.warning("router model not saved", extra={"reason": repr(exc)[:300]})
    return model
