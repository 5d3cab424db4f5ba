import pytest

from agents.turns import build_turn, message_kind, strip_quoted, turn_text
from tests.agents.factories import inbound, make_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation():
    return make_conversation()


def test_text(conversation):
    assert turn_text(inbound(conversation, "  hola, ¿tienen almendras?  ")) == "hola, ¿tienen almendras?"


def test_email_drops_subject_and_quoted_history(conversation):
    body = ("Necesito 20 kg de nueces para el lunes.\n\nSaludos\n\n"
            "El lun, 5 ene 2026 a las 10:00, Ventas <ventas@example.cl> escribió:\n> Hola, le envío la cotización\n")
    message = inbound(conversation, body, content_type="incoming_email", subject="Re: Cotización 123",
                      quoted_text="Hola, le envío la cotización")
    assert message_kind(message) == "email"
    assert turn_text(message) == "Necesito 20 kg de nueces para el lunes.\n\nSaludos"


def test_email_with_only_a_subject_uses_the_subject(conversation):
    message = inbound(conversation, "> old\n", content_type="incoming_email", subject="Re: Horarios de atención")
    assert turn_text(message) == "Horarios de atención"


def test_strip_quoted_handles_english_clients():
    assert strip_quoted("Yes please\nOn Mon, Jan 5 Sales wrote:\n> quote") == "Yes please"


def test_audio_uses_the_transcription(conversation):
    message = inbound(conversation, "", attachments=[
        {"file_type": "audio", "url": "https://x/voice.ogg", "transcription": "quiero diez kilos de maní"}])
    assert message_kind(message) == "audio" and turn_text(message) == "quiero diez kilos de maní"


def test_audio_in_chatwoot_shape_and_without_transcription(conversation):
    spoken = inbound(conversation, attachments=[{"file_type": "audio", "transcribed_text": "hola"}])
    silent = inbound(conversation, attachments=[{"file_type": "audio", "transcribed_text": ""}])
    assert turn_text(spoken) == "hola"
    assert turn_text(silent) == "[nota de voz sin transcripción]"


def test_image_keeps_the_caption_and_notes_the_attachment(conversation):
    message = inbound(conversation, "Así llegó la caja", attachments=[
        {"file_type": "image", "data_url": "https://chat/blobs/redirect/abc/damaged.jpg"}])
    assert turn_text(message) == "Así llegó la caja [imagen adjunta: damaged.jpg]"


def test_file_without_caption(conversation):
    message = inbound(conversation, attachments=[{"file_type": "file", "name": "orden_compra.pdf"}])
    assert message_kind(message) == "file"
    assert turn_text(message) == "[archivo adjunta: orden_compra.pdf]"


def test_location(conversation):
    message = inbound(conversation, attachments=[{"file_type": "location", "coordinates_lat": -33.45,
                                                 "coordinates_long": -70.66, "fallback_title": "Bodega Quilicura"}])
    assert turn_text(message) == "[ubicación compartida: Bodega Quilicura (-33.45, -70.66)]"


def test_contact_card(conversation):
    message = inbound(conversation, attachments=[
        {"file_type": "contact", "fallback_title": "+56987654321", "meta": {"firstName": "Juan", "lastName": "Soto"}}])
    assert turn_text(message) == "[contacto compartido: Juan Soto +56987654321]"


def test_sticker(conversation):
    assert turn_text(inbound(conversation, content_type="sticker")) == "[sticker]"


def test_button_reply_uses_the_submitted_title(conversation):
    message = inbound(conversation, content_type="input_select", content_attributes={
        "submitted_values": [{"title": "Horarios", "value": "horarios"}]})
    assert message_kind(message) == "button" and turn_text(message) == "Horarios"


def test_a_burst_folds_into_one_turn_in_order(conversation):
    first = inbound(conversation, "hola")
    second = inbound(conversation, attachments=[{"file_type": "image", "name": "lista.jpg"}])
    third = inbound(conversation, "necesito esto")
    turn = build_turn([first, second, third])
    assert turn.text == "hola\n[imagen adjunta: lista.jpg]\nnecesito esto"
    assert turn.message_ids == [first.pk, second.pk, third.pk] and turn.kinds == ["text", "image", "text"]
