"""route() with OPENAI_API_KEY set, against the fake OpenAI server: the real openai client goes over HTTP."""

import time

import pytest

from agents.routing import route
from integrations.models import ExternalCall

pytestmark = pytest.mark.django_db


def _answer(**overrides):
    answer = {
        "lane": "purchase",
        "intent": "order_create",
        "confidence": 0.91,
        "language": "es",
        "items": [
            {"product_code": "PAS-FLA-KG", "product_text": "pasas", "quantity": 12, "uom": "kg", "action": "set"}
        ],
    }
    answer.update(overrides)
    return answer


def test_valid_tool_call_is_used_and_logged(fake_openai, catalog):
    fake_openai.tool_call(_answer())
    decision = route("quiero 12 kilos de pasas", catalog=catalog, history=[{"role": "assistant", "text": "Hola!"}])
    assert decision.source == "llm"
    assert decision.contract_json() == {
        "lane": "purchase",
        "intent": "order_create",
        "confidence": 0.91,
        "items": [{"product_code": "PAS-FLA-KG", "quantity": 12.0, "uom": "kg"}],
        "source": "llm",
    }
    request = fake_openai.requests[0]
    assert request["model"] == "gpt-fake"
    assert request["tool_choice"]["function"]["name"] == "route_message"
    assert request["messages"][-1] == {"role": "user", "content": "quiero 12 kilos de pasas"}
    assert {"role": "assistant", "content": "Hola!"} in request["messages"]
    assert "PAS-FLA-KG | Pasas flame jumbo | kg" in request["messages"][0]["content"]
    call = ExternalCall.objects.get()
    assert (call.system, call.outcome, call.prompt_tokens, call.completion_tokens) == ("llm", "ok", 321, 42)
    assert call.latency_ms is not None


def test_invented_product_code_is_rematched_by_the_fuzzy_matcher(fake_openai, catalog):
    item = {"product_code": "GARBANZO-25", "product_text": "garbanzos", "quantity": 2, "uom": "saco", "action": "set"}
    fake_openai.tool_call(_answer(items=[item]))
    decision = route("2 sacos de garbanzos", catalog=catalog)
    assert decision.source == "llm"
    assert [(i.product_code, i.uom) for i in decision.items] == [("GAR-SEC-25", "Saco 25 kg")]


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(lambda f: f.text("Claro! El cliente quiere pasas."), id="prose-instead-of-tool-call"),
        pytest.param(lambda f: f.tool_call('{"lane": "purchase", "intent": '), id="invalid-json-arguments"),
        pytest.param(lambda f: f.raw(b"<html>oops</html>"), id="body-not-json"),
        pytest.param(lambda f: f.tool_call(_answer(intent="OrderCreate")), id="wrong-intent-string"),
        pytest.param(lambda f: f.tool_call(_answer(lane="info")), id="lane-intent-mismatch"),
        pytest.param(lambda f: f.tool_call(_answer(confidence="high")), id="confidence-not-a-number"),
        pytest.param(lambda f: f.tool_call(_answer(items=[{"product_code": "X", "quantity": -3}])), id="bad-item"),
        pytest.param(lambda f: f.tool_call(_answer(intent="order_confirm")), id="confirm-without-quote"),
    ],
)
def test_invalid_output_falls_back_to_rules(fake_openai, catalog, script):
    script(fake_openai)
    decision = route("quiero 12 kilos de pasas flame", catalog=catalog)
    assert decision.source == "rules"
    assert decision.details["fallback"]
    assert decision.intent == "order_create"
    assert [(i.product_code, i.quantity) for i in decision.items] == [("PAS-FLA-KG", 12)]


def test_timeout_falls_back_to_rules_without_retrying(fake_openai, catalog):
    fake_openai.delay(2.0, _answer())
    started = time.monotonic()
    decision = route("hola!", catalog=catalog)
    assert time.monotonic() - started < 1.5  # OPENAI_TIMEOUT is 0.5 s in the fixture
    assert decision.source == "rules" and decision.intent == "greeting"
    assert "Timeout" in decision.details["fallback"]
    assert len(fake_openai.requests) == 1
    assert ExternalCall.objects.get().outcome == "error"


def test_rate_limit_then_success_is_retried(fake_openai, catalog):
    fake_openai.status(429, retry_after=0)
    fake_openai.tool_call(_answer(lane="info", intent="greeting", items=[]))
    decision = route("holi", catalog=catalog)
    assert decision.source == "llm" and decision.intent == "greeting"
    assert len(fake_openai.requests) == 2
    assert list(ExternalCall.objects.order_by("id").values_list("outcome", flat=True)) == ["error", "ok"]


def test_server_errors_exhaust_retries_then_rules(fake_openai, catalog):
    fake_openai.status(500, times=3)
    decision = route("quiero hablar con una persona", catalog=catalog)
    assert decision.source == "rules" and decision.intent == "human_handoff"
    assert len(fake_openai.requests) == 3  # OPENAI_MAX_ATTEMPTS default
    assert ExternalCall.objects.filter(outcome="error").count() == 3


def test_breaker_opens_after_repeated_failures_and_skips_the_llm(fake_openai, catalog, settings):
    settings.OPENAI_MAX_ATTEMPTS = 1
    settings.OPENAI_BREAKER_FAIL_MAX = 3
    fake_openai.status(503, times=3)
    for _ in range(3):
        assert route("hola", catalog=catalog).source == "rules"
    assert len(fake_openai.requests) == 3

    fake_openai.tool_call(_answer(lane="info", intent="greeting", items=[]))
    decision = route("hola", catalog=catalog)
    assert decision.source == "rules"
    assert "circuit open" in decision.details["fallback"]
    assert len(fake_openai.requests) == 3  # the LLM was not called


def test_breaker_closes_again_after_the_reset_timeout(fake_openai, catalog, settings):
    settings.OPENAI_MAX_ATTEMPTS = 1
    settings.OPENAI_BREAKER_FAIL_MAX = 1
    settings.OPENAI_BREAKER_RESET_SECONDS = 0.2
    fake_openai.status(500)
    assert route("hola", catalog=catalog).source == "rules"
    time.sleep(0.25)
    fake_openai.tool_call(_answer(lane="info", intent="greeting", items=[]))
    assert route("hola", catalog=catalog).source == "llm"


def test_without_a_key_only_rules_run(fake_openai, catalog, settings):
    settings.OPENAI_API_KEY = ""
    decision = route("hola", catalog=catalog)
    assert decision.source == "rules" and "fallback" not in decision.details
    assert fake_openai.requests == []
    assert not ExternalCall.objects.exists()


def test_secondary_requests_from_the_llm_are_validated_and_kept(fake_openai, catalog):
    fake_openai.tool_call(_answer(secondary=[
        {"lane": "info", "intent": "faq", "items": []},
        {"lane": "purchase", "intent": "order_create", "items": []},  # the primary said twice: dropped
    ]))
    decision = route("¿a qué hora cierran? y quiero 12 kilos de pasas", catalog=catalog)
    assert decision.source == "llm"
    assert decision.contract_json()["secondary"] == [{"lane": "info", "intent": "faq", "items": []}]
    schema = fake_openai.requests[0]["tools"][0]["function"]["parameters"]["properties"]
    assert schema["secondary"]["items"]["required"] == ["lane", "intent", "items"]


@pytest.mark.parametrize(
    "secondary",
    [
        [{"lane": "info", "intent": "order_status", "items": []}],  # intent of another lane
        [{"lane": "purchase", "intent": "order_confirm", "items": []}],  # nothing to confirm
        "faq",
    ],
)
def test_an_invalid_secondary_falls_back_to_the_rules(fake_openai, catalog, secondary):
    fake_openai.tool_call(_answer(secondary=secondary))
    decision = route("quiero 12 kilos de pasas", catalog=catalog)
    assert decision.source == "rules"
    assert any(word in decision.details["fallback"] for word in ("secondary", "order_confirm", "lane/intent"))
    assert decision.intent == "order_create"
