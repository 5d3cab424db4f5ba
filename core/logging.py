"""Logging helpers: a filter that masks phone numbers and e-mail addresses wherever they appear in a record."""

import datetime
import logging
import re

# Unicode-aware: "josé@ñandú.cl" and "maría.pérez@correo.cl" are addresses too. Keeps the first character and the
# domain.
# The lookbehind starts a match only where a local part starts: without it a long word is rescanned from each of
# its characters (seconds for a 20,000-character log line).
EMAIL_RE = re.compile(r"(?<![\w.%+-])([\w.%+-])[\w.%+-]*@([\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,})")
# E.164-ish: optional +, 10 to 17 digits split by up to two spaces, dots, dashes or parentheses ("+1 (555) 010-4477",
# "(+56) 9 8765 4321"), also glued to letters ("wa_id5511987654321"). Keeps the last 3 digits. Longer digit runs
# (bigint ids) and dates (no 3 trailing digits in a row) are left alone.
PHONE_RE = re.compile(r"(?<!\d)(?:\(?\+)?\(?\d(?:[\s.()\-]{0,2}\d){6,13}(\d{3})(?!\d)")

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def mask_pii(text: str) -> str:
    text = EMAIL_RE.sub(r"\1***@\2", text)
    return PHONE_RE.sub(r"***\1", text)


_PLAIN = (int, float, bool, type(None), datetime.date, datetime.time, datetime.timedelta)


def _mask_value(value):
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask_value(v) for v in value)
    if isinstance(value, _PLAIN):
        return value
    # Anything else the JSON formatter would print with str(): a Contact is its name or phone, a request its URL.
    return mask_pii(str(value))


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
