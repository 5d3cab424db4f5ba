"""Photos and PDFs of purchase lists through `extract_order_lines`: what goes over the wire (image and file
content parts, the catalog, the forced tool) and the validated rows that come back."""

from __future__ import annotations

import base64

import pytest

from integrations.models import ExternalCall
from integrations.openai.client import breaker_state, extract_order_lines
from integrations.openai.errors import LLMBadOutput, LLMTimeout, MediaNotSupported
from integrations.openai.order_lines import OrderLine

pytestmark = pytest.mark.django_db

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 20
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CATALOG = ["TE-VER-CJ20 | Té verde en bolsitas | Caja x20", "MER-AHU-KG | Merkén ahumado | kg"]
ANSWER = {
    "lines": [
        {"product_text": "te verde", "product_code": "TE-VER-CJ20", "quantity": 2, "unit": "cajas"},
        {"product_text": "merken ahumado", "product_code": None, "quantity": 1.5, "unit": "kg"},
    ],
    "legible": True,
    "note": "",
}


def extract(media=PHOTO, content_type="image/jpeg", **overrides):
    return extract_order_lines(media=media, content_type=content_type, catalog_lines=CATALOG, **overrides)


def test_a_photo_is_sent_as_an_image_part_and_its_lines_come_back_typed(fake_openai):
    fake_openai.tool_call(ANSWER)
    result = extract(caption="lo de siempre porfa")

    assert result.lines == [OrderLine("te verde", "TE-VER-CJ20", 2.0, "cajas"),
                            OrderLine("merken ahumado", None, 1.5, "kg")]
    assert result.legible and (result.prompt_tokens, result.completion_tokens) == (321, 42)
    [image] = fake_openai.content_parts("image_url")
    assert image["image_url"]["url"] == "data:image/jpeg;base64," + base64.b64encode(PHOTO).decode()
    request = fake_openai.requests_to("chat")[0]
    assert request["tool_choice"] == {"type": "function", "function": {"name": "report_order_lines"}}
    assert "TE-VER-CJ20 | Té verde en bolsitas" in request["messages"][0]["content"]
    assert "lo de siempre porfa" in fake_openai.content_parts("text")[0]["text"]
    assert ExternalCall.objects.get().method == "chat.completions:order_lines:image"


def test_a_pdf_is_sent_as_a_file_part_with_its_filename(fake_openai):
    fake_openai.tool_call(ANSWER)
    result = extract(media=PDF, content_type="application/pdf", filename="pedido marzo.PDF")
    assert len(result.lines) == 2
    [part] = fake_openai.content_parts("file")
    assert part["file"]["filename"] == "pedido marzo.pdf"
    assert base64.b64decode(part["file"]["file_data"].removeprefix("data:application/pdf;base64,")) == PDF
    assert fake_openai.content_parts("image_url") == []
    assert ExternalCall.objects.get().method == "chat.completions:order_lines:pdf"


def test_an_image_jpg_alias_is_sent_as_jpeg(fake_openai):
    fake_openai.tool_call(ANSWER)
    extract(content_type="image/jpg")
    assert fake_openai.content_parts("image_url")[0]["image_url"]["url"].startswith("data:image/jpeg;base64,")


def test_an_unreadable_attachment_is_reported_as_such(fake_openai):
    fake_openai.tool_call({"lines": [], "legible": False, "note": "es una foto de un perro"})
    result = extract()
    assert result.lines == [] and not result.legible and result.note == "es una foto de un perro"


@pytest.mark.parametrize("arguments, message", [
    ('{"lines": [{"product_text": "te"', "no valid report_order_lines call"),
    ({"lines": "dos cajas de té"}, "lines must be a list"),
    ({"lines": [{"product_text": "té", "product_code": None, "quantity": -2, "unit": None}]},
     "line 1: quantity must be a number > 0"),
    ({"lines": [{"product_text": "té", "product_code": None, "quantity": "dos", "unit": None}]},
     "line 1: quantity"),
    ({"lines": [ANSWER["lines"][0], {"product_text": "", "product_code": None, "quantity": 1, "unit": None}]},
     "line 2: product_text"),
    ({"lines": [{"product_text": "té", "product_code": 123, "quantity": 1, "unit": None}]},
     "product_code must be a string or null"),
    ({"lines": [{"product_text": "té", "product_code": None, "quantity": True, "unit": None}]}, "quantity"),
    ({"lines": ["té verde x2"]}, "line 1 is not an object"),
])
def test_garbage_from_the_model_is_a_typed_error(fake_openai, arguments, message):
    fake_openai.tool_call(arguments)
    with pytest.raises(LLMBadOutput, match=message):
        extract()


def test_prose_instead_of_the_tool_is_a_typed_error_that_does_not_open_the_breaker(fake_openai, settings):
    settings.OPENAI_BREAKER_FAIL_MAX = 1
    fake_openai.text("Veo dos cajas de té verde.")
    with pytest.raises(LLMBadOutput, match="Veo dos cajas"):
        extract()
    assert breaker_state() == "closed"  # the service answered; the model misbehaved


@pytest.mark.parametrize("content_type", ["image/heic", "text/plain", "application/msword"])
def test_types_the_model_cannot_read_fail_before_any_http(fake_openai, content_type):
    with pytest.raises(MediaNotSupported):
        extract(content_type=content_type)
    assert fake_openai.received == []


def test_extraction_uses_the_background_timeout_by_default(fake_openai, settings):
    settings.OPENAI_TIMEOUT = 0.3
    settings.OPENAI_TURN_TIMEOUT = 0.1
    fake_openai.tool_call(ANSWER, delay=0.2)  # longer than a turn would allow, within a background attempt
    assert len(extract().lines) == 2
    fake_openai.set_mode("hang")
    with pytest.raises(LLMTimeout):
        extract()
