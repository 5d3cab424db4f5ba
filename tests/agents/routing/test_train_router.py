"""`manage.py train_router` and the artifact the router loads."""

import io

import numpy as np
from django.core.management import call_command

from agents.routing import corpus, model
from agents.routing.states import ALL_STATES


def test_training_is_deterministic():
    first, second = model.train(), model.train()
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


def test_a_missing_or_broken_artifact_is_rebuilt_on_first_use(tmp_path, settings):
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
