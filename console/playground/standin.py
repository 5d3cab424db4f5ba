"""The one HTTP seam to the Chatwoot stand-in's simulation endpoint (`POST /standin/inbound`).

Not part of Chatwoot's API (a real Chatwoot has no way to make a contact write in), so it lives here rather than in
`integrations/chatwoot/client.py`. Documented in `integrations/chatwoot/standin.py`.
"""

from __future__ import annotations

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

# The stand-in answers only after its webhook to us returned; with django-q2 in sync mode (tests) that includes the
# whole turn (agents, Odoo, outbound), so the read timeout is generous. Connecting must be quick: it is loopback.
TIMEOUT = httpx.Timeout(30.0, connect=2.0)


class StandinUnavailable(Exception):
    """The stand-in could not be reached or refused the message; the message says which, in words staff can act on."""


def standin_inbound(*, content: str, contact: dict, conversation_id: int | None) -> dict:
    """Make the simulated contact write `content`; returns `{"conversation_id", "contact_id", "message_id"}`."""
    body = {"content": content, "contact": contact, "channel": "whatsapp"}
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    url = settings.CHATWOOT_BASE_URL.rstrip("/") + "/standin/inbound"
    try:
        response = httpx.post(url, json=body, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise StandinUnavailable(
            _("The Chatwoot stand-in at %(url)s did not answer (%(error)s). Is `make run` (or `manage.py "
              "chatwoot_standin`) running?") % {"url": settings.CHATWOOT_BASE_URL, "error": exc.__class__.__name__}
        ) from exc
    if response.status_code != 201:
        raise StandinUnavailable(_("The Chatwoot stand-in refused the message (%(status)s): %(body)s") % {
            "status": response.status_code, "body": response.text[:300]})
    return response.json()
