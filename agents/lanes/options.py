"""Reading a contact's answer to buttons we offered.

Chatwoot delivers a tapped button as plain text with its title only (the value is lost), and a numbered list
invites a bare number; both the purchase lane and the orchestrator need to recognise either.
"""

from __future__ import annotations

from agents.routing.normalize import normalize


def match_option(text: str, options: list[dict]) -> str | None:
    """The `value` of the option the text picks (its number, title, name or value), or None."""
    said = normalize(text).strip(" .!¡?¿")
    if not said:  # a turn with no words (a voice note nobody could hear) picks nothing, not an option without a name
        return None
    if said.isdigit():
        return options[int(said) - 1]["value"] if 1 <= int(said) <= len(options) else None
    hits = [o for o in options if said in (normalize(o.get("title", "")), normalize(o.get("name", "")),
                                           normalize(str(o.get("value", ""))))]
    hits = hits or [o for o in options if o.get("title") and normalize(o["title"]) in said]
    return max(hits, key=lambda o: len(o["title"]))["value"] if hits else None
