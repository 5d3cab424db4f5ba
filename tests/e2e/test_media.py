"""Voice notes and photos of purchase lists end to end: the Chatwoot stand-in signs a real webhook carrying the
attachment (push_event_data shape), the file server plays Chatwoot's signed `data_url` redirect and its storage,
the fake OpenAI server on 127.0.0.1 transcribes and reads, the agent quotes in the Odoo stand-in, and the replies
come back through our real Chatwoot client."""

from __future__ import annotations

import base64
import json

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition below
from django.urls import reverse

from agents.models import Turn
from agents.tasks import process_inbound_message
from conversations.models import Conversation as StoredConversation
from conversations.models import Message
from orders.models import PurchaseOrder
from tests.agents.test_turn_faults import fail_once  # noqa: F401 - fixture
from tests.e2e.conftest import buttons
from tests.fakes.file_server import file_server  # noqa: F401 - fixture
from tests.fakes.openai_server import fake_openai  # noqa: F401 - fixture

VOICE = b"OggS\x00\x02" + bytes(range(256)) * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 30 + b"\xff\xd9"
SPOKEN = "necesito cien kilos de aceite de coco y veinte kilos de almendras"
CANT_LISTEN = ("Disculpa, en este momento no puedo escuchar audios. ¿Me lo escribes? Si prefieres, te comunico con "
               "una persona.")
CANT_SEE = ("Disculpa, en este momento no puedo ver imágenes ni leer archivos. ¿Me lo escribes? Si prefieres, te "
            "comunico con una persona.")


def order_route(*items: tuple[str, float]) -> dict:
    return {"lane": "purchase", "intent": "order_create", "confidence": 0.95, "language": "es",
            "items": [{"product_code": code, "product_text": code, "quantity": qty, "uom": "kg", "action": "set"}
                      for code, qty in items]}


CONFIRM_ROUTE = {"lane": "purchase", "intent": "order_confirm", "confidence": 0.97, "language": "es", "items": []}
LIST_READ = {"lines": [
    {"product_text": "Aceite coco granel", "product_code": "AC-COCO-KG", "quantity": 100, "unit": "kg"},
    {"product_text": "almendra entera", "product_code": None, "quantity": 20, "unit": "kilos"},
], "legible": True, "note": ""}


def sends(contact, caption: str | None = None, **attachment) -> list[dict]:
    """The contact sends one attachment (with a caption or none); returns what the bot posted back."""
    ids = contact.shop.chatwoot.inbound(content=caption, contact=contact.contact, conversation_id=contact.id,
                                        attachments=[attachment])
    contact.id, contact.sent_message_id = ids["conversation_id"], ids["message_id"]
    return contact.new_messages()


def sent_message(contact) -> Message:
    """Our row of the contact's last attachment message."""
    return Message.objects.get(chatwoot_id=contact.sent_message_id)


def stored(contact) -> StoredConversation:
    return StoredConversation.objects.get(chatwoot_id=contact.id)


@pytest.fixture
def media_shop(shop, fake_openai, file_server, settings):
    settings.OPENAI_API_KEY = "sk-test-fake"  # the shop runs without a key by default
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000
    return shop


def test_a_voice_note_without_transcript_is_transcribed_once_routed_and_quoted(media_shop, fake_openai,
                                                                                 file_server, admin_client):
    url = file_server.add("AUD-20260617.ogg", VOICE, "audio/ogg; codecs=opus")
    fake_openai.transcript(SPOKEN)
    fake_openai.tool_call(order_route(("AC-COCO-KG", 100), ("FS-ALM-KG", 20)))
    ana = media_shop.contact()

    [quote] = sends(ana, file_type="audio", data_url=url, content_type="audio/ogg", transcribed_text="")

    [odoo_order] = media_shop.odoo_orders()
    assert quote["content"].startswith(f"Cotización {odoo_order['name']} creada:")
    assert buttons(quote) == ["Confirmar", "Modificar", "Cancelar"]
    assert media_shop.odoo_lines(odoo_order) == [("AC-COCO-KG", 100.0), ("FS-ALM-KG", 20.0)]
    [form] = fake_openai.requests_to("transcriptions")
    assert form["file"]["data"] == VOICE and form["file"]["filename"].endswith(".ogg")
    assert form["model"] == "gpt-4o-mini-transcribe"
    [routing] = fake_openai.requests_to("chat")
    assert routing["messages"][-1] == {"role": "user", "content": SPOKEN}  # the router read what was said
    [attachment] = sent_message(ana).attachments
    assert (attachment["transcription"], attachment["transcribed_by"]) == (SPOKEN, "openai")
    assert Turn.objects.get().text == SPOKEN
    # staff read what the note said on the conversation's page
    page = admin_client.get(reverse("admin:conversations_conversation_change", args=[stored(ana).pk]))
    assert page.status_code == 200 and SPOKEN in page.content.decode()

    fake_openai.tool_call(CONFIRM_ROUTE)
    [confirmed] = ana.says("sí, confirmo")
    assert confirmed["content"].startswith(f"¡Listo! Tu pedido {odoo_order['name']} por $")
    assert len(fake_openai.requests_to("transcriptions")) == 1


def test_chatwoots_own_transcript_is_used_without_a_call(media_shop, fake_openai, file_server):
    url = file_server.add("voice.ogg", VOICE, "audio/ogg")
    fake_openai.tool_call(order_route(("FS-ALM-KG", 20)))
    ana = media_shop.contact()

    [quote] = sends(ana, file_type="audio", data_url=url, content_type="audio/ogg",
                    transcribed_text="necesito veinte kilos de almendras")

    assert quote["content"].startswith("Cotización ")
    assert fake_openai.requests_to("transcriptions") == [] and file_server.requests == []  # not even downloaded
    assert fake_openai.requests_to("chat")[0]["messages"][-1]["content"] == "necesito veinte kilos de almendras"


def test_a_photo_of_a_list_becomes_an_order_with_its_lines_and_the_caption_is_read(media_shop, fake_openai,
                                                                                     file_server):
    url = file_server.add("IMG-20260617.jpg", JPEG, "image/jpeg")
    fake_openai.tool_call(LIST_READ)
    ana = media_shop.contact()

    [quote] = sends(ana, "esto para el lunes porfa", file_type="image", data_url=url, content_type="image/jpeg")

    [odoo_order] = media_shop.odoo_orders()
    assert quote["content"].startswith(f"Cotización {odoo_order['name']} creada:")
    assert "100 kg Aceite de coco orgánico a granel × $6.890 = $689.000" in quote["content"]
    assert "20 kg Almendra entera sin tostar" in quote["content"]
    assert media_shop.odoo_lines(odoo_order) == [("AC-COCO-KG", 100.0), ("FS-ALM-KG", 20.0)]
    [reading] = fake_openai.requests_to("chat")  # one call: the list decides the turn, no routing call
    assert "AC-COCO-KG | Aceite de coco orgánico a granel | kg" in reading["messages"][0]["content"]
    [image] = fake_openai.content_parts("image_url")
    assert base64.b64decode(image["image_url"]["url"].split(",", 1)[1]) == JPEG
    assert any("esto para el lunes porfa" in part["text"] for part in fake_openai.content_parts("text"))
    turn = Turn.objects.get()
    assert (turn.lane, turn.intent, turn.source) == ("purchase", "order_create", "llm")
    assert turn.text.splitlines() == ["esto para el lunes porfa", "Lista leída de la imagen:",
                                      "100 kg Aceite coco granel", "20 kilos almendra entera"]

    fake_openai.tool_call(CONFIRM_ROUTE)
    [confirmed] = ana.says("sí, confirmo")
    assert confirmed["content"].startswith(f"¡Listo! Tu pedido {odoo_order['name']}")
    assert PurchaseOrder.objects.get().state == "confirmed"


def test_a_line_the_photo_leaves_open_is_asked_and_the_tap_completes_the_quote(media_shop, fake_openai,
                                                                                 file_server):
    url = file_server.add("lista.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png")
    fake_openai.tool_call({"lines": [
        {"product_text": "almendra entera", "product_code": "FS-ALM-KG", "quantity": 10, "unit": "kg"},
        {"product_text": "harina", "product_code": None, "quantity": 2, "unit": "kg"},
    ], "legible": True, "note": ""})
    ana = media_shop.contact()

    [question] = sends(ana, file_type="image", data_url=url, content_type="image/png")

    assert question["content"].startswith("Para «harina» tenemos varias opciones.")
    assert media_shop.odoo_orders() == []  # nothing ordered until the contact chooses
    fake_openai.tool_call({"lane": "purchase", "intent": "catalog_query", "confidence": 0.6, "language": "es",
                           "items": []})  # the bare title reads like a catalog question; the open question wins
    [quote] = ana.says(next(b for b in buttons(question) if "almendra" in b.lower()))
    [odoo_order] = media_shop.odoo_orders()
    assert quote["content"].startswith(f"Cotización {odoo_order['name']} creada:")
    assert media_shop.odoo_lines(odoo_order) == [("FS-ALM-KG", 10.0), ("HA-ALMEN-KG", 2.0)]


def test_without_a_key_a_voice_note_gets_the_plain_answer_and_a_person_on_request(shop, file_server):
    url = file_server.add("voice.ogg", VOICE, "audio/ogg")
    ana = shop.contact()

    [answer] = sends(ana, file_type="audio", data_url=url, content_type="audio/ogg", transcribed_text="")

    assert answer["content"] == CANT_LISTEN
    assert buttons(answer) == ["Escribirlo", "Hablar con alguien"]
    assert file_server.requests == []  # nothing downloaded that nobody could listen to
    [handed] = ana.texts("Hablar con alguien")
    assert handed.startswith("Claro, te comunico con una persona")
    assert stored(ana).mode == "human"


def test_without_a_key_a_photo_gets_the_plain_answer_and_typing_it_goes_on_as_usual(shop, file_server):
    url = file_server.add("lista.jpg", JPEG, "image/jpeg")
    ana = shop.contact()

    [answer] = sends(ana, "esto para el lunes", file_type="image", data_url=url, content_type="image/jpeg")

    assert answer["content"] == CANT_SEE and buttons(answer) == ["Escribirlo", "Hablar con alguien"]
    assert ana.texts("Escribirlo") == ["¡Claro! Escríbeme lo que necesitas y te ayudo."]
    [quote] = ana.says("necesito 20 kilos de almendras")
    assert quote["content"].startswith("Cotización ")
    assert shop.odoo_lines(shop.odoo_orders()[0]) == [("FS-ALM-KG", 20.0)]


def test_a_voice_note_that_cannot_be_downloaded_gets_one_polite_answer_and_nothing_twice(media_shop, fake_openai,
                                                                                          file_server):
    ana = media_shop.contact()
    # two listeners: the same message arrives under two delivery ids
    media_shop.chatwoot.arm_fault("webhook_duplicate", event="message_created", message_type="incoming",
                                  same_delivery_id=False)

    [answer] = sends(ana, file_type="audio", data_url=file_server.missing_url("voz.ogg"), content_type="audio/ogg")

    assert answer["content"] == CANT_LISTEN and buttons(answer) == ["Escribirlo", "Hablar con alguien"]
    assert fake_openai.requests_to("transcriptions") == []
    [turn] = Turn.objects.all()
    [outcome] = turn.decision["media"]
    assert outcome["outcome"] == "failed" and outcome["error"].startswith("AttachmentNotFound")
    process_inbound_message(sent_message(ana).pk)  # the task run again (a redelivered task)
    assert ana.new_messages() == [] and Turn.objects.count() == 1
    assert len(file_server.requests) == 1  # one download tried, once


def test_the_webhook_payload_carries_the_attachment_as_chatwoot_sends_it(shop, file_server):
    url = file_server.add("voice.ogg", VOICE, "audio/ogg")
    ana = shop.contact()
    sends(ana, file_type="audio", data_url=url, content_type="audio/ogg", transcribed_text="hola")
    payload = [w["payload"] for w in shop.chatwoot.webhooks if w["payload"].get("message_type") == "incoming"][-1]
    [attachment] = payload["attachments"]
    assert payload["content"] is None
    assert {k: attachment[k] for k in ("file_type", "content_type", "data_url", "transcribed_text", "extension")} == {
        "file_type": "audio", "content_type": "audio/ogg", "data_url": url, "transcribed_text": "hola",
        "extension": "ogg"}
    assert json.dumps(payload)  # the stand-in signed exactly these bytes


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the fault is a PostgreSQL trigger")
def test_a_turn_decided_again_after_its_commit_failed_transcribes_once(media_shop, fake_openai, file_server,
                                                                        fail_once):
    fake_openai.tool_call({"lane": "info", "intent": "greeting", "confidence": 0.95, "items": [], "language": "es"})
    ana = media_shop.contact()
    ana.says("hola")
    fake_openai.transcript(SPOKEN)
    for _ in range(2):  # the turn is routed on each attempt
        fake_openai.tool_call(order_route(("AC-COCO-KG", 100), ("FS-ALM-KG", 20)))
    url = file_server.add("voice.ogg", VOICE, "audio/ogg")
    fail_once()  # the database refuses the turn's first commit

    [quote] = sends(ana, file_type="audio", data_url=url, content_type="audio/ogg")

    assert quote["content"].startswith("Cotización ")
    assert len(fake_openai.requests_to("transcriptions")) == 1 and len(file_server.requests) == 2  # one download
    turn = Turn.objects.order_by("id").last()
    assert turn.attempts == 2 and turn.text == SPOKEN
    assert len(media_shop.odoo_orders()) == 1 and ana.new_messages() == []

