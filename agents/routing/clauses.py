"""The shape of a chat message around its request: the greeting before it, the sign-off after it, and the clauses
a message with several requests is made of.

Works on normalised text (`normalize`), which keeps newlines, "?" and "!" as tokens of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.routing.normalize import normalize

# A line that starts like these, and everything after it, is a sign-off ("Saludos cordiales,\nMarcela\nCafé X").
_SIGNOFF = re.compile(
    r"^(?:saludos|slds|atte|atentamente|cordialmente|bendiciones|abrazos?|enviado desde|quedo atent[oa]|"
    r"muchas gracias|gracias|mil gracias|de antemano gracias|que este[ns]? bien|buen dia|buena tarde|--|"
    r"regards|best|thanks|cheers|sent from)\b"
)
_GREETING = re.compile(
    r"^(?:(?:hola|holi|buenas tardes|buenas noches|buenos dias|buen dia|buenas|saludos|estimad[oa]s?|wena|"
    r"que tal|como (?:estan|esta|estas|les va)|hi|hello|good morning|hey)\b[ ,!]*)+"
)
# Where a second request starts inside one line: "..., y ¿hacen despacho?", "otra cosa, ...", "aparte, ..."
_CLAUSE_BREAK = re.compile(
    r"(?<= [?!])(?= )| , (?=y (?:\?|tambien|ademas|otra cosa|una consulta|consulta)\b)| (?=otra cosa\b)"
    r"| (?=una consulta\b)| (?=aparte (?:,|de eso)\b)| , (?=y (?:a que|donde|cuando|como|cuanto|hacen|tienen|"
    r"aceptan|reciben|emiten|despachan|abren|cierran|anotame|mandame|quiero|necesito|agrega|sumale)\b)"
)
# How a question starts when its "?" was left out ("emiten factura", "a que hora abren").
_ASKING = re.compile(
    r"^(?:(?:y|una consulta|consulta|otra cosa|aparte)(?: ,)? )*(?:que|cual|cuales|cuando|donde|como|cuanto|cuantos|cuanta|"
    r"a que|hasta que|desde que|por que|hacen|tienen|tiene|hay|aceptan|reciben|emiten|despachan|abren|cierran|"
    r"atienden|puedo|se puede|pueden|venden|trabajan|llegan|me pueden|sabe|saben|do|does|can|what|when|where|how)\b"
)


_LIST_MARK = re.compile(r"^\s*(?:[-*•·–>]+|\d{1,2}[).](?!\d)|\d{1,2} ?-(?= ))\s*")


def body_lines(text: str) -> list[str]:
    """Normalised lines of the message, list markers ("- ", "• ", "2) ") dropped, without the sign-off block."""
    lines = [_LIST_MARK.sub("", line) for line in text.splitlines()]
    lines = [normalize(line) for line in lines]
    lines = [line for line in lines if line]
    for i, line in enumerate(lines):
        if i > 0 and _SIGNOFF.match(line) and not re.search(r"\d", " ".join(lines[i:])):
            return lines[:i]
    return lines


def strip_greeting(normalized: str) -> str:
    """"hola buenas tardes , necesito ..." -> "necesito ..."; a line that is only a greeting becomes empty."""
    return _GREETING.sub("", normalized).strip(" ,!:")


def request_lines(text: str) -> list[str]:
    """The message's normalised lines without the greeting that opens it or the sign-off that closes it; a
    message that is only a greeting stays as it is."""
    lines = body_lines(text)
    if not lines:
        return []
    stripped = [strip_greeting(lines[0]), *lines[1:]]
    kept = [line for line in stripped if line.strip(" ,")]
    return kept or lines


def request_text(text: str) -> str:
    """`request_lines` as one line; a line break separates order lines like a semicolon does."""
    return " ; ".join(request_lines(text))


@dataclass(frozen=True)
class Clause:
    text: str
    question: bool  # written as a question: with "?" or opening like one


def split_clauses(text: str) -> list[Clause]:
    """Clauses that may each be a request of their own (each line of a list is one)."""
    clauses = []
    for line in request_lines(text):
        for part in _CLAUSE_BREAK.split(f" {line} "):
            words = part.strip(" ,?!")
            if words:
                clauses.append(Clause(words, "?" in part or bool(_ASKING.match(words))))
    return clauses
