"""Playground views: staff only; parse, call one service, answer. The simulated contact lives in the session."""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from console.playground.services import (
    PlaygroundError, playground_available, playground_contact_new, playground_message_send, playground_transcript,
)

SESSION_KEY = "playground_contact"


def _staff_json(view):
    """JSON endpoints answer 403 rather than redirecting: the page's fetch() must see the failure."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return JsonResponse({"error": _("Staff login required.")}, status=403)
        return view(request, *args, **kwargs)
    return wrapped


def _contact(request) -> dict:
    contact = request.session.get(SESSION_KEY)
    if not contact:
        contact = playground_contact_new()
        request.session[SESSION_KEY] = contact
    return contact


@staff_member_required
@require_GET
def playground_page(request):
    return render(request, "playground/index.html", {
        "contact": _contact(request),
        "available": playground_available(),
        "chatwoot_url": settings.CHATWOOT_BASE_URL,
        "words": _words(),
    })


def _words() -> dict:
    """What the page's script writes, in the staff's language."""
    return {
        "status": {"received": _("received"), "queued": _("queued"), "sending": _("sending"), "sent": _("✓ sent"),
                   "delivered": _("✓✓ delivered"), "read": _("✓✓ read"), "failed": _("✗ failed"),
                   # A contact's message that never became one of ours (console.playground.services._fate).
                   "refused": _("✗ refused by our webhook"), "dropped": _("✗ dropped"),
                   "ignored": _("⚠ ignored"), "pending": _("received, not processed yet"),
                   "missing": _("✗ never received")},
        "staff": _("Staff:"), "noConversation": _("no conversation yet"),
        "conversation": _("conversation #%(id)s · %(mode)s"),
        "modes": {"bot": _("with the bot"), "human": _("with a person")},
    }


@_staff_json
@require_GET
def playground_messages(request):
    return JsonResponse(playground_transcript(contact=_contact(request)))


@_staff_json
@require_POST
def playground_send(request):
    try:
        text = json.loads(request.body or b"{}").get("text")
    except (ValueError, AttributeError):
        return JsonResponse({"error": _('Body must be JSON like {"text": "Hola"}.')}, status=400)
    if not isinstance(text, str):
        return JsonResponse({"error": _('"text" (a string) is required.')}, status=400)
    try:
        contact = playground_message_send(contact=_contact(request), text=text)
    except PlaygroundError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    request.session[SESSION_KEY] = contact
    return JsonResponse(playground_transcript(contact=contact))


@_staff_json
@require_POST
def playground_new_contact(request):
    contact = playground_contact_new()
    request.session[SESSION_KEY] = contact
    return JsonResponse(playground_transcript(contact=contact))
