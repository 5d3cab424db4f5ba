import pytest

from core.logging import mask_pii


def test_phone_numbers_and_emails_are_masked():
    masked = mask_pii("contacto +56 9 8765 4321 escribe desde maria.silva@example.cl")
    assert "8765" not in masked
    assert "maria.silva" not in masked
    assert masked.endswith("m***@example.cl")
    assert "***321" in masked


def test_tracebacks_are_masked_in_the_json_log_line():
    import io
    import json
    import logging

    from pythonjsonlogger.json import JsonFormatter

    from core.logging import MaskPIIFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(levelname)s %(message)s"))
    handler.addFilter(MaskPIIFilter())
    logger = logging.getLogger("tests.pii")
    logger.addHandler(handler)
    try:
        raise ValueError("contact +56 9 1234 5678 wrote from juan.perez@example.com")
    except ValueError:
        logger.exception("delivery failed")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert "ValueError" in line["exc_info"]
    assert "1234 5678" not in stream.getvalue() and "juan.perez" not in stream.getvalue()



@pytest.mark.parametrize("text, kept", [
    ("llamar al +1 (555) 010-4477 mañana", "***477"),
    ("(+56) 9 8765 4321", "***321"),
    ("wa_id5511987654321", "wa_id***321"),
    ("escribe maría.pérez@correo.cl", "m***@correo.cl"),
    ("josé@ñandú.cl", "j***@ñandú.cl"),
])
def test_other_spellings_of_phones_and_emails_are_masked(text, kept):
    masked = mask_pii(text)
    assert kept in masked
    assert not any(secret in masked for secret in ("4477", "8765", "98765", "maría", "pérez", "josé"))


def test_ids_dates_and_versions_are_left_alone():
    text = "delivery 12345 id 9223372036854775807 at 2026-06-17 12:00:01 chatwoot 4.15.1"
    assert mask_pii(text) == text


def test_a_long_line_is_masked_in_linear_time():
    import time

    started = time.perf_counter()
    mask_pii("a" * 100_000 + " " + "1" * 100_000 + " maria@example.cl")
    assert time.perf_counter() - started < 2  # the old pattern rescanned long words: minutes for this line


def test_objects_in_extra_fields_are_masked_as_the_formatter_would_print_them():
    import io
    import json
    import logging

    from pythonjsonlogger.json import JsonFormatter

    from core.logging import MaskPIIFilter

    class Contact:
        def __str__(self):
            return "Maria +56 9 8765 4321"

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(levelname)s %(message)s"))
    handler.addFilter(MaskPIIFilter())
    logger = logging.getLogger("tests.pii.extra")
    logger.addHandler(handler)
    try:
        logger.warning("contact changed", extra={"contact": Contact(), "count": 3})
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["contact"] == "Maria ***321" and line["count"] == 3
