"""Voice notes through `transcribe_audio`, the real openai client, and the fake server's multipart endpoint."""

from __future__ import annotations

import time

import pytest

from integrations.models import ExternalCall
from integrations.openai.client import breaker_state, chat_tool_call, transcribe_audio
from integrations.openai.errors import (
    LLMCircuitOpen,
    LLMProtocolError,
    LLMRateLimited,
    LLMRejected,
    LLMTimeout,
    MediaNotSupported,
)

pytestmark = pytest.mark.django_db

# The first bytes of an Ogg/Opus file, as WhatsApp voice notes are; the fake does not decode audio.
VOICE_NOTE = b"OggS\x00\x02" + bytes(range(256)) * 40
TOOL = {"type": "function", "function": {"name": "route_message", "parameters": {"type": "object"}}}


def transcribe(**overrides):
    arguments = {"audio": VOICE_NOTE, "content_type": "audio/ogg; codecs=opus", **overrides}
    return transcribe_audio(**arguments)


def test_a_voice_note_is_sent_as_multipart_and_its_text_returned(fake_openai):
    fake_openai.transcript("Hola, necesito dos cajas de té verde para el viernes")
    result = transcribe()
    assert result.text == "Hola, necesito dos cajas de té verde para el viernes"
    assert (result.model, result.input_tokens, result.output_tokens) == ("gpt-4o-mini-transcribe", 57, 11)

    form = fake_openai.requests_to("transcriptions")[0]
    assert form["model"] == "gpt-4o-mini-transcribe" and form["response_format"] == "json"
    assert form["file"]["data"] == VOICE_NOTE  # byte for byte
    assert form["file"]["filename"] == "voice-note.ogg"  # the endpoint picks the decoder by extension
    assert "language" not in form and "prompt" not in form
    row = ExternalCall.objects.get()
    assert (row.system, row.method, row.outcome) == ("llm", "audio.transcriptions", "ok")
    assert (row.prompt_tokens, row.completion_tokens) == (57, 11)
    assert "dos cajas" in row.response_summary and f"bytes={len(VOICE_NOTE)}" in row.request_summary


def test_the_model_comes_from_the_setting_and_hints_are_sent(fake_openai, settings):
    settings.OPENAI_TRANSCRIBE_MODEL = "gpt-4o-transcribe"
    fake_openai.transcript("merkén ahumado")
    transcribe(language="es", prompt="Merkén, quillay, maravilla", filename="AUD-2026.opus", content_type="audio/opus")
    form = fake_openai.requests_to("transcriptions")[0]
    assert (form["model"], form["language"], form["prompt"]) == ("gpt-4o-transcribe", "es",
                                                                  "Merkén, quillay, maravilla")
    assert form["file"]["filename"] == "AUD-2026.ogg"


def test_an_unknown_model_is_a_rejection_not_retried_and_not_held_against_the_service(fake_openai, settings):
    settings.OPENAI_TRANSCRIBE_MODEL = "whisper-9000"
    settings.OPENAI_BREAKER_FAIL_MAX = 1
    with pytest.raises(LLMRejected, match="does not exist") as caught:
        transcribe()
    assert caught.value.status == 400 and not caught.value.transient
    assert len(fake_openai.received) == 1
    assert breaker_state() == "closed"


@pytest.mark.parametrize("content_type", ["audio/amr", "audio/aac", "text/plain", ""])
def test_formats_the_endpoint_refuses_fail_before_any_http(fake_openai, content_type):
    with pytest.raises(MediaNotSupported, match="cannot be transcribed"):
        transcribe(content_type=content_type)
    assert fake_openai.received == [] and not ExternalCall.objects.exists()


def test_empty_audio_fails_before_any_http(fake_openai):
    with pytest.raises(MediaNotSupported, match="empty"):
        transcribe(audio=b"")
    assert fake_openai.received == []


def test_a_hanging_endpoint_times_out_after_the_background_timeout(fake_openai, settings):
    settings.OPENAI_TIMEOUT = 0.4
    fake_openai.set_mode("hang", endpoint="transcriptions")
    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        transcribe()
    assert 0.35 <= time.monotonic() - started < 0.9
    assert len(fake_openai.received) == 1


def test_inside_a_turn_the_short_budget_applies(fake_openai, settings):
    settings.OPENAI_TIMEOUT = 5.0
    settings.OPENAI_TURN_TIMEOUT = 0.3
    fake_openai.set_mode("hang", endpoint="transcriptions")
    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        transcribe(budget="turn")
    assert time.monotonic() - started < 0.6


def test_server_errors_are_retried_then_the_transcript_arrives(fake_openai):
    fake_openai.status(502, endpoint="transcriptions")
    fake_openai.status(429, retry_after=0, endpoint="transcriptions")
    fake_openai.transcript("listo")
    assert transcribe().text == "listo"
    assert list(ExternalCall.objects.order_by("id").values_list("outcome", flat=True)) == ["error", "error", "ok"]


def test_a_long_retry_after_is_reported_not_waited(fake_openai):
    fake_openai.set_mode("429", endpoint="transcriptions", retry_after=30)
    started = time.monotonic()
    with pytest.raises(LLMRateLimited) as caught:
        transcribe()
    assert caught.value.retry_after == 30.0 and time.monotonic() - started < 1.0


@pytest.mark.parametrize("body", [b"<html>proxy error</html>", b'{"transcript": "wrong key"}', b"[]"])
def test_a_body_that_is_not_a_transcription_is_a_protocol_error(fake_openai, settings, body):
    settings.OPENAI_MAX_ATTEMPTS = 1
    fake_openai.raw(body, endpoint="transcriptions")
    with pytest.raises(LLMProtocolError):
        transcribe()


def test_a_dead_transcription_endpoint_opens_the_one_openai_breaker(fake_openai, settings):
    settings.OPENAI_BREAKER_FAIL_MAX = 2
    settings.OPENAI_MAX_ATTEMPTS = 1
    settings.OPENAI_TIMEOUT = 0.2
    fake_openai.set_mode("hang", endpoint="transcriptions")
    for _ in range(2):
        with pytest.raises(LLMTimeout):
            transcribe()
    with pytest.raises(LLMCircuitOpen):
        chat_tool_call(messages=[{"role": "user", "content": "hola"}], tool=TOOL, purpose="route")
    assert len(fake_openai.received) == 2
