from core.logging import mask_pii


def test_phone_numbers_and_emails_are_masked():
    masked = mask_pii("contacto +56 9 8765 4321 escribe desde maria.silva@example.cl")
    assert "8765" not in masked
    assert "maria.silva" not in masked
    assert masked.endswith("m***@example.cl")
    assert "***321" in masked
