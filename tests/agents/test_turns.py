import pytest

from agents.turns import (
    NO_LIST, SILENT, UNAVAILABLE, UNSUPPORTED, Unread, build_turn, message_kind, strip_quoted, turn_text,
)
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
    turn = build_turn([silent])  # no placeholder for the router to read: the turn knows what it could not hear
    assert turn.text == "" and turn.unread == [Unread("audio", UNAVAILABLE)]


def test_a_voice_note_we_transcribed_to_nothing_is_silent_not_unread(conversation):
    silent = inbound(conversation, attachments=[{"file_type": "audio", "url": "https://x/v.ogg", "transcription": "",
                                                 "transcribed_by": "openai"}])
    assert build_turn([silent]).unread == [Unread("audio", SILENT)]


def test_image_keeps_the_caption_and_lists_what_it_could_not_read(conversation):
    message = inbound(conversation, "Así llegó la caja", attachments=[
        {"file_type": "image", "data_url": "https://chat/blobs/redirect/abc/damaged.jpg"}])
    turn = build_turn([message])
    assert turn.text == "Así llegó la caja" and turn.unread == [Unread("image", UNAVAILABLE)]


def test_a_photo_read_as_a_list_adds_its_lines_as_typed(conversation):
    lines = [{"product_text": "almendra entera", "product_code": "FS-ALM-KG", "quantity": 20.0, "unit": "kg"},
             {"product_text": "leche de almendra", "product_code": None, "quantity": 3.0, "unit": "cajas"}]
    message = inbound(conversation, "esto para el lunes", attachments=[
        {"file_type": "image", "url": "https://chat/x/lista.jpg", "read_by": "openai", "legible": True,
         "order_lines": lines}])
    turn = build_turn([message])
    assert turn.text.splitlines() == ["esto para el lunes", "Lista leída de la imagen:", "20 kg almendra entera",
                                      "3 cajas leche de almendra"]
    assert [(l.product_text, l.quantity) for l in turn.read_lines] == [("almendra entera", 20.0),
                                                                        ("leche de almendra", 3.0)]
    assert turn.unread == []


def test_a_photo_without_a_list_and_other_files(conversation):
    photo = inbound(conversation, attachments=[{"file_type": "image", "url": "https://x/a.jpg", "read_by": "openai",
                                                "legible": False, "order_lines": []}])
    pdf = inbound(conversation, attachments=[{"file_type": "file", "name": "orden_compra.pdf",
                                              "content_type": "application/pdf"}])
    sheet = inbound(conversation, attachments=[{"file_type": "file", "name": "pedido.xlsx",
                                                "content_type": "application/vnd.ms-excel"}])
    video = inbound(conversation, attachments=[{"file_type": "video", "name": "caja.mp4"}])
    turn = build_turn([photo, pdf, sheet, video])
    assert turn.text == "" and turn.kinds == ["image", "file", "file", "image"]
    assert turn.unread == [Unread("image", NO_LIST), Unread("pdf", UNAVAILABLE), Unread("file", UNSUPPORTED),
                           Unread("video", UNSUPPORTED)]


def test_a_sticker_is_not_a_medium_to_read(conversation):
    sticker = inbound(conversation, content_type="sticker",
                      attachments=[{"file_type": "image", "url": "https://x/s.webp"}])
    assert build_turn([sticker]).unread == []


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
    assert turn.text == "hola\nnecesito esto" and turn.unread == [Unread("image", UNAVAILABLE)]
    assert turn.message_ids == [first.pk, second.pk, third.pk] and turn.kinds == ["text", "image", "text"]
