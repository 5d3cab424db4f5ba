"""Logging helpers: a filter that masks phone numbers and e-mail addresses wherever they appear in a record."""

import logging
import re

EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# E.164-ish: optional +, 8 to 15 digits possibly split by spaces, dots or dashes. Keeps the last 3 digits.
PHONE_RE = re.compile(r"(?<![\w])\+?\d(?:[\s.-]?\d){6,13}(\d{3})(?![\w])")

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def mask_pii(text: str) -> str:
    text = EMAIL_RE.sub(r"\1***@\2", text)
    return PHONE_RE.sub(r"***\1", text)


def _mask_value(value):
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask_value(v) for v in value)
    return value


class MaskPIIFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_pii(record.getMessage())
        record.args = ()
        # Exception texts carry message content too (e.g. a Chatwoot error body): format the traceback here,
        # masked, so no formatter prints the raw one.
        if record.exc_info:
            record.exc_text = mask_pii(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask_pii(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS:
                setattr(record, key, _mask_value(value))
        return True
