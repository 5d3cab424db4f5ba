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
