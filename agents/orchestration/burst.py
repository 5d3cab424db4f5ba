"""Burst folding without a sleeping worker: when is a contact's burst of messages complete enough to answer?

A message that reads complete is answered at once: waiting would cost every reply the window. A message that
reads unfinished (a trailing connector or comma, an opener such as "una consulta" with nothing after it) means
the contact is still typing, and only then does the turn wait, up to AGENT_BURST_WINDOW after the newest message,
by enqueuing itself for later (core.queue.enqueue_later) instead of sleeping. Messages that land while a turn is
running fold into the next turn, and a turn that finds newer messages at its commit gives way to them.
"""

from __future__ import annotations

import re
from datetime import datetime

from agents.turns import turn_text
from conversations.models import Message

# Spanish and English words a sentence does not end on.
_DANGLING = re.compile(
    r"(?:,|:|;|\.\.\.|…|\b(?:y|e|o|u|ni|que|de|del|la|las|el|los|un|una|para|por|con|sin|pero|porque|como|cuando|"
    r"si|and|or|but|the|a|an|of|for|with|to|because))\s*$",
    re.IGNORECASE,
)
# Openers that announce the request still to come.
_OPENER = re.compile(
    r"^\s*(?:(?:hola|buenas|buenos d[ií]as|buenas tardes|buenas noches|hi|hello)[\s,!.]*)?"
    r"(?:una|tengo una|otra)?\s*(?:consulta|pregunta|duda|question)s?\s*[:.!]*\s*$"
    r"|^\s*(?:(?:hola|buenas)[\s,!.]*)?(?:quer[ií]a|quiero|necesito|me gustar[ií]a|te quer[ií]a|les quer[ií]a|"
    r"i want|i need|i would like)\s*(?:consultar|preguntar|saber|pedir|hacer|ask|order)?\s*[:.]*\s*$",
    re.IGNORECASE,
)


def reads_unfinished(text: str) -> bool:
    text = (text or "").strip()
    return bool(text) and bool(_DANGLING.search(text) or _OPENER.match(text))


def seconds_to_wait(burst: list[Message], *, now: datetime, window: float) -> float:
    """How long to hold the burst for more (0: answer now). Bounded by the window after the newest message, so
    a contact who keeps typing fragments is still answered."""
    newest = burst[-1]
    if window <= 0 or not reads_unfinished(turn_text(newest)):
        return 0.0
    return max(0.0, window - (now - newest.created_at).total_seconds())
