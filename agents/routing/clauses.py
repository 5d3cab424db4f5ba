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
    r"| (?=una consulta\b)| (?=aparte (?:,|de eso)\b)| (?=y (?:ademas|aparte)\b)"
    r"| (?=y (?:a que hora|donde|cuando|cuanto|cuanta|cuantos|cuantas)\b)"  # "anota 2 cajas y cuánto está el aceite?"
    r"| , (?=y (?:a que|donde|cuando|como|cuanto|hacen|tienen|"
    r"aceptan|reciben|emiten|despachan|abren|cierran|anotame|mandame|quiero|necesito|agrega|sumale)\b)"
    # the request after its reason: "dado que nadie responde, solicito que me llame un ejecutivo"
    r"| , (?=(?:solicito|solicitamos|les pido|le pido|pido|exijo|exigimos|necesito que|quiero que|favor|por favor)\b)"
    # a second thought after "pero": "mándenme 4 kilos, pero no de la partida que me mandaron"
    r"| , (?=pero\b)"
    # asking for a person after saying what went wrong: "llegó roto y quiero hablar con alguien"
    r"| (?=y (?:(?:quiero|necesito) (?:hablar|que me llame)|pas(?:ame|eme|enme) con|comuniquen\w*|llam(?:ame|enme)|"
    r"exijo|solicito)\b)"
)
# How a question starts when its "?" was left out ("emiten factura", "a que hora abren").
_ASKING = re.compile(
    r"^(?:(?:y|una consulta|consulta|otra cosa|aparte)(?: ,)? )*(?:que|cual|cuales|cuando|donde|como|cuanto|cuantos|cuanta|"
    r"a que|hasta que|desde que|por que|hacen|tienen|tiene|hay|aceptan|reciben|emiten|despachan|abren|cierran|"
    r"atienden|puedo|se puede|pueden|venden|trabajan|llegan|me pueden|sabe|saben|do|does|can|what|when|where|how)\b"
)


_LIST_MARK = re.compile(r"^\s*(?:[-*•·–>]+|\d{1,2}[).](?!\d)|\d{1,2} ?-(?= ))\s*")


def _raw_body_lines(text: str) -> list[str]:
    """The message's lines as written, list markers ("- ", "• ", "2) ") dropped, without the sign-off block."""
    lines = [_LIST_MARK.sub("", line) for line in text.splitlines()]
    lines = [line for line in lines if normalize(line)]
    for i, line in enumerate(lines):
        if i > 0 and _SIGNOFF.match(normalize(line)) and not re.search(r"\d", normalize(" ".join(lines[i:]))):
            return lines[:i]
    return lines


def body_lines(text: str) -> list[str]:
    """Normalised lines of the message, list markers dropped, without the sign-off block."""
    return [normalize(line) for line in _raw_body_lines(text)]


# Where a written sentence ends: ". ", "? ", "! " before more text, or an opening "¿" (normalising drops both).
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)|\s+(?=¿)")
# A period that ends an abbreviation, not a sentence ("Sra. Paula", "ref. NZ-20", "N°. 12").
_ABBREVIATION = re.compile(
    r"(?:^|\W)(?:[a-z]|sr|sra|srta|dr|dra|atte|ref|art|nro|num|av|depto|n°|nº|no|etc|aprox|ej|ud|uds|cia|cía|ltda|"
    r"spa|st|mr|mrs|ms)\.$",
    re.IGNORECASE,
)


def sentences(line: str) -> list[str]:
    """One written line cut into its sentences (raw text: the punctuation that marks them is still there)."""
    found, pending = [], ""
    for piece in _SENTENCE_END.split(line):
        pending = f"{pending} {piece}" if pending else piece
        if not _ABBREVIATION.search(pending):
            found.append(pending)
            pending = ""
    return found + ([pending] if pending else [])


def strip_greeting(normalized: str) -> str:
    """"hola buenas tardes , necesito ..." -> "necesito ..."; a line that is only a greeting becomes empty."""
    return _GREETING.sub("", normalized).strip(" ,!:")


def request_lines(text: str) -> list[str]:
    """The message's normalised sentences (each line cut where a sentence ends) without the greeting that opens it
    or the sign-off that closes it; a message that is only a greeting stays as it is."""
    raw = _raw_body_lines(text)
    if not raw:
        return []
    said = [normalize(sentence) for line in raw for sentence in sentences(line)]
    said = [sentence for sentence in said if sentence]
    stripped = [strip_greeting(said[0]), *said[1:]]
    kept = [sentence for sentence in stripped if sentence.strip(" ,")]
    return kept or [normalize(line) for line in raw]


def request_text(text: str) -> str:
    """`request_lines` as one line; a line break or a sentence's end separates order lines like a semicolon does."""
    return " ; ".join(request_lines(text))


def is_question(normalized: str) -> bool:
    """Written as a question: with "?" or opening like one."""
    return "?" in normalized or bool(_ASKING.match(normalized.strip(" ,?!")))


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
