"""What the contact hears about media we could not understand, in their language (Spanish when unknown).

The buttons come back as the contact's next message (their title only): "Hablar con alguien" / "Talk to a person"
are the info menu's titles, which the router reads as a request for a person, and the open question
(`slots.pending_question`, kind "media") lets `agents.media.answers` read both taps before any routing.
"""

from __future__ import annotations

from agents.lanes.base import say
from agents.turns import NO_LIST, SILENT, UNAVAILABLE, UNSUPPORTED, Unread

WRITE_IT, PERSON = "escribir", "humano"
OPTIONS = {
    "es": [{"title": "Escribirlo", "value": WRITE_IT}, {"title": "Hablar con alguien", "value": PERSON}],
    "en": [{"title": "Type it", "value": WRITE_IT}, {"title": "Talk to a person", "value": PERSON}],
}

# (why, what) -> the problem said plainly; "what" is "audio" for voice notes, "file" for the rest.
PROBLEMS = {
    (UNAVAILABLE, "audio"): {"es": "Disculpa, en este momento no puedo escuchar audios.",
                             "en": "Sorry, I can't listen to voice messages right now."},
    (UNAVAILABLE, "file"): {"es": "Disculpa, en este momento no puedo ver imágenes ni leer archivos.",
                            "en": "Sorry, I can't look at images or read files right now."},
    (SILENT, "audio"): {"es": "Disculpa, no logré entender tu audio.",
                        "en": "Sorry, I couldn't make out your voice message."},
    (NO_LIST, "file"): {"es": "Revisé lo que me enviaste, pero no encontré una lista de productos que pueda leer.",
                        "en": "I looked at what you sent, but I couldn't find a list of products I can read."},
    (UNSUPPORTED, "file"): {"es": "Disculpa, no puedo abrir videos ni archivos de ese tipo.",
                            "en": "Sorry, I can't open videos or files of that kind."},
}
OFFER = {"es": "¿Me lo escribes? Si prefieres, te comunico con una persona.",
         "en": "Could you type it for me? If you prefer, I can put you through to a person."}
# Said before the answer to what the contact did write, when some medium beside it was not understood.
NOTES = {
    "audio": {"es": "No pude escuchar tu audio; si decía algo más, ¿me lo escribes?",
              "en": "I couldn't listen to your voice message; if it said something else, could you type it?"},
    "file": {"es": "No pude ver tu imagen o archivo; si tenía algo más, ¿me lo escribes?",
             "en": "I couldn't look at your image or file; if it had something else, could you type it?"},
}
GO_AHEAD = {"es": "¡Claro! Escríbeme lo que necesitas y te ayudo.",
            "en": "Sure! Type what you need and I'll help you."}


def what(unread: Unread) -> str:
    return "audio" if unread.kind == "audio" else "file"


def problem(unread: Unread, language: str) -> str:
    return say(language, PROBLEMS[(unread.why, what(unread))])


def offer(language: str) -> str:
    return say(language, OFFER)


def note(about: str, language: str) -> str:
    return say(language, NOTES[about])


def go_ahead(language: str) -> str:
    return say(language, GO_AHEAD)


def options(language: str) -> list[dict]:
    return [dict(option) for option in OPTIONS.get(language, OPTIONS["es"])]
