"""Media in a turn through the agents' task: the file server plays Chatwoot's `data_url`, the fake OpenAI server on
127.0.0.1 transcribes and reads, replies go to the Chatwoot stand-in. Whatever fails (no key, the download, the
model, the breaker), the contact hears it plainly once, with a way on: type it, or a person."""

from __future__ import annotations

import pytest

from agents.media import reading
from agents.media.answers import line_items
from agents.models import Turn
from agents.routing.catalog import Catalog, CatalogEntry
from agents.tasks import process_inbound_message
from conversations.models import Message
from integrations.odoo.standin.catalog import PRODUCTS
from integrations.openai.client import breaker_state
from integrations.openai.order_lines import OrderLine
from tests.agents.factories import inbound, make_conversation
from tests.fakes.file_server import file_server  # noqa: F401 - fixture
from tests.fakes.openai_server import fake_openai  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("faqs", "fast_agent")]

VOICE = b"OggS\x00\x02" + bytes(range(256)) * 16
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8 + b"\xff\xd9"
PDF = b"%PDF-1.7\n" + b"0" * 2000 + b"\n%%EOF\n"
CANT_LISTEN = ("Disculpa, en este momento no puedo escuchar audios. ¿Me lo escribes? Si prefieres, te comunico con "
               "una persona.")
CANT_SEE = ("Disculpa, en este momento no puedo ver imágenes ni leer archivos. ¿Me lo escribes? Si prefieres, te "
            "comunico con una persona.")
ROUTE_GREETING = {"lane": "info", "intent": "greeting", "confidence": 0.95, "items": [], "language": "es"}


def public(standin, conversation) -> list[dict]:
    return [m for m in standin.sent if m["conversation_id"] == conversation.chatwoot_id and not m["private"]]


def titles(message: dict) -> list[str]:
    return [i["title"] for i in (message.get("content_attributes") or {}).get("items", [])]


def voice_note(conversation, url: str, ago: float = 0.0) -> Message:
    return inbound(conversation, ago=ago, attachments=[{"file_type": "audio", "url": url, "transcription": "",
                                                       "content_type": "audio/ogg", "name": url.rsplit("/", 1)[-1]}])


def photo(conversation, url: str, caption: str = "", content_type: str = "image/jpeg", ago: float = 0.0) -> Message:
    kind = "file" if content_type == "application/pdf" else "image"
    return inbound(conversation, caption, ago=ago, attachments=[{"file_type": kind, "url": url, "transcription": "",
                                                       "content_type": content_type,
                                                       "name": url.rsplit("/", 1)[-1]}])


def answered(standin, conversation, message: Message) -> list[dict]:
    process_inbound_message(message.pk)
    return public(standin, conversation)


# --- what fails gets the plain answer, once --------------------------------------------------------------------
FAULTS = {
    "not_found": lambda server, settings: server.missing_url("nota.ogg"),
    "too_big": lambda server, settings: (setattr(settings, "MEDIA_MAX_AUDIO_BYTES", 1000),
                                         server.add("nota.ogg", VOICE, "audio/ogg"))[1],
    "wrong_type": lambda server, settings: server.add("nota.ogg", b"<html>login</html>", "text/html"),
    "timeout": lambda server, settings: (setattr(settings, "MEDIA_READ_TIMEOUT", 0.2),
                                         server.add("nota.ogg", VOICE, "audio/ogg", hang=2.0))[1],
    "storage_error": lambda server, settings: server.add("nota.ogg", VOICE, "audio/ogg", status=500),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_voice_note_whose_download_fails_gets_the_plain_answer(fault, chatwoot_standin, fake_openai, file_server,
                                                                  settings):
    conversation = make_conversation(chatwoot_standin)
    message = voice_note(conversation, FAULTS[fault](file_server, settings))

    [reply] = answered(chatwoot_standin, conversation, message)

    assert reply["content"] == CANT_LISTEN and titles(reply) == ["Escribirlo", "Hablar con alguien"]
    assert fake_openai.requests_to("transcriptions") == []
    turn = Turn.objects.get()
    assert (turn.agent, turn.error) == ("media", "") and turn.decision["media"][0]["outcome"] == "failed"
    assert Message.objects.get(pk=message.pk).attachments[0]["transcription"] == ""  # nothing stored


@pytest.mark.parametrize("mode", ["5xx", "hang", "garbage", "429"])
def test_a_transcription_that_fails_gets_the_plain_answer(mode, chatwoot_standin, fake_openai, file_server):
    fake_openai.set_mode(mode, endpoint="transcriptions", retry_after=0)
    conversation = make_conversation(chatwoot_standin)
    message = voice_note(conversation, file_server.add("nota.ogg", VOICE, "audio/ogg"))

    [reply] = answered(chatwoot_standin, conversation, message)

    assert reply["content"] == CANT_LISTEN
    assert Turn.objects.get().decision["media"][0]["error"].startswith("LLM")


def test_an_open_breaker_spares_the_download_too(chatwoot_standin, fake_openai, file_server, settings):
    settings.OPENAI_BREAKER_FAIL_MAX = 1
    fake_openai.set_mode("5xx")
    conversation = make_conversation(chatwoot_standin)
    answered(chatwoot_standin, conversation, voice_note(conversation, file_server.add("a.ogg", VOICE, "audio/ogg")))
    assert breaker_state() == "open"
    downloads = len(file_server.requests)

    second = voice_note(conversation, file_server.add("b.ogg", VOICE, "audio/ogg"))
    replies = answered(chatwoot_standin, conversation, second)

    assert [r["content"] for r in replies] == [CANT_LISTEN, CANT_LISTEN]
    assert len(file_server.requests) == downloads
    assert Turn.objects.order_by("id").last().decision["media"][0] == {
        "message_id": second.pk, "attachment": 0, "kind": "audio", "outcome": "skipped",
        "why": "the OpenAI circuit breaker is open"}


def test_a_photo_the_model_answers_with_garbage_gets_the_plain_answer(chatwoot_standin, fake_openai, file_server):
    fake_openai.tool_call({"lines": [{"product_text": "", "quantity": -3}], "legible": True, "note": ""})
    conversation = make_conversation(chatwoot_standin)
    message = photo(conversation, file_server.add("lista.jpg", JPEG, "image/jpeg"))

    [reply] = answered(chatwoot_standin, conversation, message)

    assert reply["content"] == CANT_SEE
    assert Turn.objects.get().decision["media"][0]["error"].startswith("LLMBadOutput")


def test_without_a_key_nothing_is_downloaded_and_the_plain_answer_is_given(chatwoot_standin, file_server, settings):
    settings.OPENAI_API_KEY = ""
    conversation = make_conversation(chatwoot_standin)
    message = photo(conversation, file_server.add("pedido.pdf", PDF, "application/pdf"), content_type="application/pdf")

    [reply] = answered(chatwoot_standin, conversation, message)

    assert reply["content"] == CANT_SEE and file_server.requests == []
    assert Turn.objects.get().decision["media"][0]["why"] == "no OPENAI_API_KEY"


def test_the_plain_answer_is_in_the_contacts_language(chatwoot_standin, file_server, settings):
    settings.OPENAI_API_KEY = ""
    conversation = make_conversation(chatwoot_standin)
    answered(chatwoot_standin, conversation, inbound(conversation, "Hello, do you sell almonds?"))

    replies = answered(chatwoot_standin, conversation,
                       voice_note(conversation, file_server.add("a.ogg", VOICE, "audio/ogg")))

    assert replies[-1]["content"] == ("Sorry, I can't listen to voice messages right now. Could you type it for me? "
                                      "If you prefer, I can put you through to a person.")
    assert titles(replies[-1]) == ["Type it", "Talk to a person"]


# --- what could be understood, and what it says --------------------------------------------------------------------
def test_a_silent_voice_note_is_said_so_and_never_transcribed_again(chatwoot_standin, fake_openai, file_server):
    fake_openai.transcript("")
    conversation = make_conversation(chatwoot_standin)
    message = voice_note(conversation, file_server.add("a.ogg", VOICE, "audio/ogg"))

    [reply] = answered(chatwoot_standin, conversation, message)

    assert reply["content"] == ("Disculpa, no logré entender tu audio. ¿Me lo escribes? Si prefieres, te comunico "
                                "con una persona.")
    assert Message.objects.get(pk=message.pk).attachments[0]["transcribed_by"] == "openai"
    assert reading.media_read(messages=[Message.objects.get(pk=message.pk)]) == []  # nothing left to read


def test_a_photo_without_a_list_beside_a_complaint_is_the_complaint(chatwoot_standin, fake_openai, file_server):
    fake_openai.tool_call({"lines": [], "legible": False, "note": "una caja de cartón abollada"})
    fake_openai.tool_call({"lane": "support", "intent": "complaint", "confidence": 0.93, "items": [],
                           "language": "es"})
    conversation = make_conversation(chatwoot_standin)
    message = photo(conversation, file_server.add("caja.jpg", JPEG, "image/jpeg"), "Esta es la caja dañada")

    [reply] = answered(chatwoot_standin, conversation, message)

    assert reply["content"].startswith("Lamentamos mucho lo ocurrido.")  # no word about a list nobody sent
    turn = Turn.objects.get()
    assert (turn.intent, turn.handoff_reason) == ("complaint", "complaint")
    [reading_call, routing_call] = fake_openai.requests_to("chat")
    assert routing_call["messages"][-1]["content"] == "Esta es la caja dañada"


def test_a_photo_without_a_list_and_without_words_is_said_so(chatwoot_standin, fake_openai, file_server):
    fake_openai.tool_call({"lines": [], "legible": False, "note": "un perro"})
    conversation = make_conversation(chatwoot_standin)

    [reply] = answered(chatwoot_standin, conversation,
                       photo(conversation, file_server.add("perro.jpg", JPEG, "image/jpeg")))

    assert reply["content"].startswith("Revisé lo que me enviaste, pero no encontré una lista de productos")
    assert len(fake_openai.requests_to("chat")) == 1  # nothing routed: there were no words


def test_words_beside_a_voice_note_nobody_could_hear_are_answered_after_a_note(chatwoot_standin, fake_openai,
                                                                              file_server, settings):
    settings.AGENT_BURST_WINDOW = 5.0
    fake_openai.tool_call({"lane": "support", "intent": "human_handoff", "confidence": 0.97, "items": [],
                           "language": "es"})
    conversation = make_conversation(chatwoot_standin)
    voice_note(conversation, file_server.missing_url("a.ogg"), ago=10)
    last = inbound(conversation, "quiero hablar con una persona", ago=9.5)

    note, answer = answered(chatwoot_standin, conversation, last)

    assert note["content"] == "No pude escuchar tu audio; si decía algo más, ¿me lo escribes?"
    assert answer["content"].startswith("Claro, te comunico con una persona")
    assert Turn.objects.count() == 1


def test_a_pdf_is_read_as_a_file_part(chatwoot_standin, fake_openai, file_server):
    fake_openai.tool_call({"lines": [], "legible": False, "note": "una factura"})
    conversation = make_conversation(chatwoot_standin)
    message = photo(conversation, file_server.add("orden.pdf", PDF, "application/pdf"), content_type="application/pdf")

    answered(chatwoot_standin, conversation, message)

    [part] = fake_openai.content_parts("file")
    assert part["file"]["filename"] == "orden.pdf"
    assert Message.objects.get(pk=message.pk).attachments[0]["read_by"] == "openai"


def test_the_contact_sees_typing_while_a_voice_note_is_transcribed(chatwoot_standin, fake_openai, file_server):
    fake_openai.transcript("hola, buenas tardes", delay=0.2)
    fake_openai.tool_call(ROUTE_GREETING)
    conversation = make_conversation(chatwoot_standin)

    [reply] = answered(chatwoot_standin, conversation,
                       voice_note(conversation, file_server.add("a.ogg", VOICE, "audio/ogg")))

    assert reply["content"].startswith("¡Hola!")
    assert chatwoot_standin.typing == [(conversation.chatwoot_id, "on"), (conversation.chatwoot_id, "off")]


# --- nothing twice ----------------------------------------------------------------------------------------------
def test_a_turn_redriven_after_its_worker_died_uses_the_stored_transcript(chatwoot_standin, fake_openai,
                                                                         file_server):
    fake_openai.transcript("hola, buenas tardes")
    fake_openai.tool_call(ROUTE_GREETING)
    conversation = make_conversation(chatwoot_standin)
    message = voice_note(conversation, file_server.add("a.ogg", VOICE, "audio/ogg"))
    # the first worker transcribed the note and died before its commit: only the transcript was written
    assert reading.media_read(messages=[Message.objects.get(pk=message.pk)])[0]["outcome"] == "transcribed"

    [reply] = answered(chatwoot_standin, conversation, message)

    assert reply["content"].startswith("¡Hola!")
    assert len(fake_openai.requests_to("transcriptions")) == 1
    assert Turn.objects.get().text == "hola, buenas tardes"


def test_the_first_stored_understanding_stands(fake_openai):
    conversation = make_conversation()
    message = voice_note(conversation, "https://chat.example/rails/active_storage/blobs/redirect/x/a.ogg")
    url = message.attachments[0]["url"]
    first = reading.message_attachment_understood(message_id=message.pk, position=0, url=url,
                                                  fields={"transcription": "uno", "transcribed_by": "openai"})
    again = reading.message_attachment_understood(message_id=message.pk, position=0, url=url,
                                                  fields={"transcription": "dos", "transcribed_by": "openai"})
    assert first[0]["transcription"] == again[0]["transcription"] == "uno"
    assert Message.objects.get(pk=message.pk).attachments[0]["transcription"] == "uno"
    assert reading.message_attachment_understood(message_id=message.pk, position=0, url="https://other/a.ogg",
                                                 fields={"transcription": "tres"}) is None


def test_media_beyond_the_turns_share_are_not_read_and_the_contact_is_told(chatwoot_standin, fake_openai,
                                                                          file_server, settings, monkeypatch):
    monkeypatch.setattr(reading, "MAX_MEDIA_PER_TURN", 1)
    settings.AGENT_BURST_WINDOW = 5.0
    fake_openai.transcript("quiero hablar con una persona")
    fake_openai.tool_call({"lane": "support", "intent": "human_handoff", "confidence": 0.97, "items": [],
                           "language": "es"})
    conversation = make_conversation(chatwoot_standin)
    voice_note(conversation, file_server.add("a.ogg", VOICE, "audio/ogg"), ago=10)
    last = voice_note(conversation, file_server.add("b.ogg", VOICE, "audio/ogg"), ago=9.5)

    note, answer = answered(chatwoot_standin, conversation, last)

    assert note["content"] == "No pude escuchar tu audio; si decía algo más, ¿me lo escribes?"
    assert answer["content"].startswith("Claro, te comunico con una persona")
    outcomes = [o["outcome"] for o in Turn.objects.get().decision["media"]]
    assert outcomes == ["transcribed", "skipped"] and len(fake_openai.requests_to("transcriptions")) == 1


def test_photos_in_one_burst_are_read_at_the_same_time(chatwoot_standin, fake_openai, file_server, settings):
    settings.AGENT_BURST_WINDOW = 5.0
    settings.OPENAI_TIMEOUT = 3.0
    for _ in range(2):
        fake_openai.tool_call({"lines": [], "legible": False, "note": "un paisaje"}, delay=0.6)
    conversation = make_conversation(chatwoot_standin)
    photo(conversation, file_server.add("p1.jpg", JPEG, "image/jpeg"), ago=10)
    last = photo(conversation, file_server.add("p2.jpg", JPEG, "image/jpeg"), ago=9.5)

    [reply] = answered(chatwoot_standin, conversation, last)

    assert reply["content"].startswith("Revisé lo que me enviaste")
    first, second = [r.at for r in fake_openai.received if r.endpoint == "chat"]
    assert second - first < 0.6  # the second was asked before the first was answered
    assert [o["outcome"] for o in Turn.objects.get().decision["media"]] == ["read", "read"]


# --- read lines matched to the catalog as typed ones are --------------------------------------------------------
CATALOG = Catalog([CatalogEntry(p.code, p.name, p.uom) for p in PRODUCTS if p.purchase_ok])


def test_a_read_line_is_matched_and_converted_like_a_typed_one():
    [item] = line_items(OrderLine("leche de almendra", None, 24, "unidades"), CATALOG)
    assert (item.product_code, item.quantity, item.uom) == ("LV-ALMEN-CJ12", 2.0, "Caja x12")


def test_the_models_code_settles_what_our_matcher_cannot_read():
    [item] = line_items(OrderLine("alm. ent.", "FS-ALM-KG", 10, "kg"), CATALOG)
    assert (item.product_code, item.quantity, item.ambiguous) == ("FS-ALM-KG", 10.0, False)


def test_the_model_and_our_matcher_disagreeing_is_a_close_call_for_the_contact():
    [item] = line_items(OrderLine("nuez mariposa", "FS-CAJU-KG", 5, "kg"), CATALOG)
    assert item.product_code is None and item.ambiguous
    assert [c.product_code for c in item.candidates] == ["FS-CAJU-KG", "FS-NUEZ-KG"]


def test_a_line_naming_nothing_we_sell_is_kept_as_unknown():
    [item] = line_items(OrderLine("tornillos", None, 3, "cajas"), CATALOG)
    assert (item.product_code, item.text, item.quantity) == (None, "tornillos", 3.0)



def test_a_second_voice_note_nobody_can_hear_is_not_taken_for_a_tap(chatwoot_standin, file_server, settings):
    settings.OPENAI_API_KEY = ""
    conversation = make_conversation(chatwoot_standin)
    answered(chatwoot_standin, conversation, voice_note(conversation, file_server.add("a.ogg", VOICE, "audio/ogg")))

    replies = answered(chatwoot_standin, conversation,
                       voice_note(conversation, file_server.add("b.ogg", VOICE, "audio/ogg")))

    assert [r["content"] for r in replies] == [CANT_LISTEN, CANT_LISTEN]
    second = Turn.objects.order_by("id").last()
    assert (second.lane, second.intent) == ("info", "other")  # no words: no button was tapped

