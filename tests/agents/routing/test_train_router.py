"""`manage.py train_router` and the artifact the router loads."""

import io

import joblib
import numpy as np
from scipy.sparse import hstack
from django.core.management import call_command

from agents.routing import corpus, model
from agents.routing.states import ALL_STATES


def _small_corpus():
    """Every sixth line: the behaviour under test does not depend on the corpus size, a full training takes 12 s."""
    return corpus.build_corpus()[::6]


def test_training_is_deterministic():
    first, second = model.train(_small_corpus()), model.train(_small_corpus())
    assert first.char_vec.vocabulary_ == second.char_vec.vocabulary_
    assert first.word_vec.vocabulary_ == second.word_vec.vocabulary_
    assert np.array_equal(first.classifier.coef_, second.classifier.coef_)
    assert first.temperature == second.temperature and first.fingerprint == second.fingerprint


def test_the_corpus_covers_every_intent_in_every_state_it_can_happen():
    examples = corpus.build_corpus()
    assert len(examples) >= 2000
    intents = {example.intent for example in examples}
    assert len(intents) == 12
    assert {example.state or "none" for example in examples} == set(ALL_STATES)
    assert corpus.build_corpus() == examples  # same seed, same lines


def test_command_writes_a_model_the_router_loads(tmp_path, settings):
    path = tmp_path / "router.joblib"
    settings.ROUTER_MODEL_PATH = path
    out = io.StringIO()
    call_command("train_router", stdout=out)
    assert path.exists() and "trained on" in out.getvalue()
    assert model.is_current(path)
    call_command("train_router", "--if-stale", stdout=out)
    assert "current" in out.getvalue().splitlines()[-1]
    model.forget_loaded()
    try:
        assert model.intent_model().fingerprint == model.fingerprint()
    finally:
        model.forget_loaded()


def test_a_missing_or_broken_artifact_is_rebuilt_on_first_use(tmp_path, settings, monkeypatch):
    full_training = model.train
    monkeypatch.setattr(model, "train", lambda examples=None: full_training(_small_corpus()))
    path = tmp_path / "nested" / "router.joblib"
    settings.ROUTER_MODEL_PATH = path
    model.forget_loaded()
    try:
        assert model.intent_model().readings("hola", order_state=None, catalog=model.training_catalog())
        assert path.exists()
        path.write_bytes(b"not a model")
        model.forget_loaded()
        assert model.intent_model().fingerprint == model.fingerprint()
        assert model.is_current(path)
    finally:
        model.forget_loaded()


def test_a_malformed_section_header_is_an_error_not_a_template(tmp_path):
    templates = tmp_path / "templates.txt"
    templates.write_text("[thanks] states=any\ngracias\n[other] any\njaja\n", encoding="utf-8")
    try:
        corpus.read_templates(templates)
    except ValueError as exc:
        assert "[other] any" in str(exc)
    else:
        raise AssertionError("a header without states= was read as a training line")


def test_the_fast_scorer_gives_the_classifiers_own_logits():
    trained = model.intent_model()
    catalog = model.training_catalog()
    texts = ["hola, ¿a qué hora cierran?", "quiero 10 kg de nueces y 2 sacos de harina", "¿cómo va lo mío?",
             "gracias!!", "ya no lo quiero", "", "🙂", "xq no me llega naa", "2 cajas de leche de coco porfa"]
    for state in (None, "sent", "confirmed"):
        for text in texts:
            view = model.featurize(text, state, catalog)
            features = hstack([trained.char_vec.transform([view[0]]), trained.word_vec.transform([view[1]])])
            expected = trained.classifier.decision_function(features)[0]
            assert np.allclose(trained.scorer.logits(view), expected, atol=1e-9), (text, state)


def test_a_saved_model_does_not_carry_its_scorer(tmp_path):
    trained = model.intent_model()
    trained.scorer  # built on first use
    model.save(trained, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    assert "scorer" not in loaded.__dict__ and loaded.scorer.logits(("hola", "hola")).shape == (12,)
