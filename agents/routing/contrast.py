"""Contrastive focus: "no quiero cancelar, solo saber cuándo llega" asks when it arrives.

A contact who first says what they do not want and then, with "solo", "solamente", "nomás" or "sino", what they do
want, is asking for the second thing; the first names another intent's words only to rule it out. The router reads
the part after the contrast word instead of the whole message.
"""

from __future__ import annotations

import re

# A negated request ("no quiero cancelar", "no es para reclamar", "ni nada", "no cancelen"), then the contrast word.
_NEGATED_REQUEST = (
    r"\b(?:no|ni)\b(?: \w+){0,3}? (?:quiero|queremos|es para|era para|vengo a|voy a|vamos a|necesito|"
    r"cancel\w*|anul\w*|cambi\w*|modific\w*|reclam\w*|agreg\w*|pid\w*|ped\w*|compr\w*|nada)\b"
)
_CONTRAST = re.compile(
    _NEGATED_REQUEST + r"[^.?!]*?[,;.]?\s*\b(?:s[oó]lo|solamente|nom[aá]s|sino)\b\s+(?P<focus>[^\s].{5,})$",
    re.IGNORECASE | re.DOTALL,
)


def contrast_focus(text: str) -> str:
    """The part of `text` that says what the contact wants, or `text` itself when nothing is ruled out first."""
    found = _CONTRAST.search(text)
    return found.group("focus").strip() if found else text
