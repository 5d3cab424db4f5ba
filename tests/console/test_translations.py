"""The console speaks Spanish (Chile) or English, with nothing of ours left untranslated:

- `makemessages` over the code finds no msgid without a Spanish translation (and none fuzzy), and the committed
  .mo is the compiled .po (so `make run` needs no GNU gettext);
- the main console pages rendered in Spanish contain no text node that is one of our English msgids, and in
  English none that is one of our Spanish translations;
- the language follows the staff member's choice (cookie), then the browser's, then LANGUAGE_CODE.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from conversations.handoff import conversation_hand_over
from conversations.models import Contact, Direction, Message, MessageOrigin, MessageStatus, SenderKind
from orders.models import PurchaseOrder
from tests.conversations.handoff_helpers import message
from tests.conversations.outbound_helpers import conversation_in_both
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401
from tests.fakes.odoo import make_odoo_standin, odoo_standin  # noqa: F401
from tests.orders.factories import confirm, contact_with_conversation, create, quoted, synced_catalog

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "locale" / "es_CL" / "LC_MESSAGES"
# Words that are the same in both languages, or names: they prove nothing about a page's language.
SAME_IN_BOTH = {"Bot", "Total", "Stock", "LLM", "RUT", "Chatwoot", "Odoo", "Playground", "FAQ", "no", "error",
                "Subtotal", "%(hour)s h", "%(s)d s", "%(m)d min", "%(h)d h %(m)02d min", "%(d)d d %(h)d h",
                "j M", "j M H:i", "D j M, H:i", "%(name)s", "WhatsApp"}
MAKEMESSAGES = dict(locale=["es_CL"], no_obsolete=True, add_location="file", verbosity=0,
                    ignore_patterns=["tests/*", "bench/*", "staticfiles/*", "artifacts/*"])


def _gettext_tools() -> None:
    if shutil.which("xgettext") and shutil.which("msgfmt"):
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail("the translation check needs GNU gettext (apt-get install gettext)")
    pytest.skip("GNU gettext (xgettext, msgfmt) is not installed")


def _untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if "fuzzy" in e.flags or not (e.msgstr or all(e.msgstr_plural.values()))
            or (e.msgid_plural and not all(e.msgstr_plural.values()))]


def test_every_msgid_in_the_code_has_a_spanish_translation(tmp_path, settings, monkeypatch):
    _gettext_tools()
    copy = tmp_path / "locale"
    shutil.copytree(REPO / "locale", copy)
    settings.LOCALE_PATHS = [copy]  # makemessages writes into the first locale path, here a copy
    monkeypatch.chdir(REPO)
    call_command("makemessages", **MAKEMESSAGES)
    fresh = polib.pofile(str(copy / "es_CL" / "LC_MESSAGES" / "django.po"))
    assert len(fresh) > 300
    assert _untranslated(fresh) == []
    committed = {e.msgid for e in polib.pofile(str(CATALOG / "django.po"))}
    assert {e.msgid for e in fresh} == committed, "run `make messages`: the committed catalog is stale"


def test_the_committed_mo_is_the_compiled_po():
    po = polib.pofile(str(CATALOG / "django.po"))
    mo = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(CATALOG / "django.mo"))}
    expected = {(e.msgctxt, e.msgid): (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()}) for e in po
                if e.msgid}
    assert {k: v for k, v in mo.items() if k[1]} == expected, "run `make messages`: django.mo is older than django.po"


# --- rendered pages -----------------------------------------------------------------------------------------------

class _Texts(HTMLParser):
    """Every text node and every human-facing attribute (title, placeholder, aria-label, submit values)."""

    SKIP = {"script", "style"}
    ATTRIBUTES = {"title", "placeholder", "aria-label"}

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        attributes = dict(attrs)
        for name in self.ATTRIBUTES & attributes.keys():
            self.texts.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") == "submit":
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.texts.append(data)


def _texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return {" ".join(t.split()) for t in parser.texts if t.strip()}


def _pattern(text: str) -> re.Pattern:
    """A catalog string as a pattern for a whole text node: its placeholders match anything."""
    parts = re.split(r"%\([a-z_]+\)[0-9]*[sd]", " ".join(text.split()))
    return re.compile("^" + ".+?".join(re.escape(p) for p in parts) + "$")


def _catalog_strings() -> tuple[list[re.Pattern], list[re.Pattern]]:
    """(English msgids, Spanish translations) that differ between the languages, as patterns."""
    english, spanish = [], []
    for e in polib.pofile(str(CATALOG / "django.po")):
        pairs = [(e.msgid, e.msgstr)] if not e.msgid_plural else [
            (e.msgid, e.msgstr_plural[0]), (e.msgid_plural, e.msgstr_plural[1])]
        for msgid, msgstr in pairs:
            if SAME_IN_BOTH & {msgid, msgstr} or msgid.lower() == msgstr.lower() or len(msgid) < 3:
                continue
            english.append(_pattern(msgid))
            spanish.append(_pattern(msgstr))
    return english, spanish


@pytest.fixture
def console(odoo_standin, chatwoot_standin, settings, django_user_model):
    """A staff member (Atención) who approves, a conversation waiting for a person with each kind of message, an order
    waiting for approval: every main page has something to say."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ORDER_APPROVAL_THRESHOLD = 0
    settings.SLACK_WEBHOOK_URL = ""
    user = django_user_model.objects.create_user("jefa", password="pw", is_staff=True)  # staff, not a superuser
    user.groups.add(*Group.objects.filter(name__in=["Atención", "Approvers"]))
    conversation = conversation_in_both(chatwoot_standin)
    Contact.objects.filter(pk=conversation.contact_id).update(name="María González", email="maria@example.cl")
    message(conversation, "hola, necesito 20 kg de almendras", minutes_ago=30)
    message(conversation, "Cotización P00012", direction=Direction.OUTBOUND, origin=MessageOrigin.BOT,
            sender_kind=SenderKind.AGENT_BOT, minutes_ago=29, status=MessageStatus.READ,
            options=[{"title": "Confirmar", "value": "sí"}])
    conversation_hand_over(conversation_id=conversation.pk, reason="human_request", actor="bot", mirror=False,
                           summary="Derivado por el bot", contact_text="quiero hablar con alguien")
    message(conversation, "¿hay alguien?", minutes_ago=2)
    Message.objects.filter(conversation=conversation, private=True).update(status=MessageStatus.FAILED,
                                                                             error="HTTP 500")
    synced_catalog()
    contact, order_conversation = contact_with_conversation(name="Restaurante Las Dalias")
    order = confirm(contact, order_conversation, quoted(create(contact, order_conversation, ("FS-ALM-KG", 20))))
    PurchaseOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=3))
    return {"user": user, "conversation": conversation, "order": order}


def _pages(console) -> dict[str, tuple[str, str, dict]]:
    conversation, order = console["conversation"], console["order"]
    return {
        "index": ("get", "/admin/", {}),
        "conversation list": ("get", "/admin/conversations/conversation/", {}),
        "conversation list, waiting": ("get", "/admin/conversations/conversation/?inbox=waiting", {}),
        "conversation page": ("get", f"/admin/conversations/conversation/{conversation.pk}/change/", {}),
        "order list": ("get", "/admin/orders/purchaseorder/", {}),
        "order page": ("get", f"/admin/orders/purchaseorder/{order.pk}/change/", {}),
        "approve confirmation": ("post", "/admin/orders/purchaseorder/",
                                 {"action": "approve_orders", "_selected_action": [order.pk]}),
        "reject confirmation": ("post", "/admin/orders/purchaseorder/",
                                {"action": "reject_orders", "_selected_action": [order.pk]}),
        "dashboard 24 h": ("get", "/admin/dashboard/?period=24h", {}),
        "dashboard 7 d": ("get", "/admin/dashboard/?period=7d", {}),
        "dashboard 30 d": ("get", "/admin/dashboard/?period=30d", {}),
        "product list": ("get", "/admin/orders/product/", {}),
        "FAQ list": ("get", "/admin/agents/faq/", {}),
        "contact page": ("get", f"/admin/conversations/contact/{conversation.contact_id}/change/", {}),
        "playground": ("get", "/playground/", {}),
    }


PAGE_NAMES = ["index", "conversation list", "conversation list, waiting", "conversation page", "order list",
              "order page", "approve confirmation", "reject confirmation", "dashboard 24 h", "dashboard 7 d",
              "dashboard 30 d", "product list", "FAQ list", "contact page", "playground"]


def _render(client, console, name: str, language: str) -> str:
    method, url, data = _pages(console)[name]
    client.force_login(console["user"])
    response = getattr(client, method)(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_spanish_pages_show_none_of_our_english_strings(client, console, name):
    english, _ = _catalog_strings()
    html = _render(client, console, name, "es-CL,es;q=0.9")
    assert '<html lang="es-cl"' in html
    leftovers = sorted(text for text in _texts(html) if any(p.match(text) for p in english))
    assert leftovers == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_english_pages_show_none_of_our_spanish_strings(client, console, name):
    _, spanish = _catalog_strings()
    html = _render(client, console, name, "en-US,en;q=0.9")
    assert '<html lang="en"' in html
    leftovers = sorted(text for text in _texts(html) if any(p.match(text) for p in spanish))
    assert leftovers == []


@pytest.mark.django_db
def test_the_login_and_locked_out_pages_are_translated(client):
    assert "Iniciar sesión" in client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="es-CL").content.decode()
    assert "Log in" in client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Idioma" in client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="es-CL").content.decode()


# --- which language -----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_language_comes_from_the_choice_then_the_browser_then_the_setting(admin_client, settings):
    def lang(**headers):
        return re.search(r'<html lang="([^"]+)"', admin_client.get("/admin/", **headers).content.decode()).group(1)

    assert lang() == "es-cl"  # LANGUAGE_CODE, the default
    assert lang(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8") == "en"
    assert lang(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.8") == "es-cl"  # any Spanish gets Chile's
    assert lang(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.8") == "es-cl"  # not offered: the setting
    settings.LANGUAGE_CODE = "en"
    assert lang(HTTP_ACCEPT_LANGUAGE="fr-FR") == "en"
    chosen = admin_client.post("/i18n/setlang/", {"language": "es-cl", "next": "/admin/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/admin/"
    assert lang(HTTP_ACCEPT_LANGUAGE="en-US") == "es-cl"  # the staff member's choice wins over the browser


def test_a_language_we_do_not_offer_in_the_environment_stops_the_process():
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "PROMETHEUS_MULTIPROC_DIR")}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, capture_output=True, text=True,
                            env={**env, "DEBUG": "1", "LANGUAGE_CODE": "fr"}, timeout=120)
    assert result.returncode != 0 and "LANGUAGE_CODE must be one of es-cl, en" in result.stderr


# Words that only English has: a text node with one of them on a Spanish page is English nobody translated (a
# string written without gettext would not be in the catalog, so the test above could not know it).
ENGLISH_ONLY = {"the", "and", "with", "waiting", "order", "orders", "conversation", "conversations", "reply", "send",
                "approve", "reject", "contact", "message", "messages", "turns", "period", "hours", "days", "nobody",
                "yet", "take", "back", "why", "who", "since", "failed", "queued", "delivered", "read", "sent",
                "quotation", "lines", "history", "stock", "total", "net", "vat", "dashboard", "trends", "handoffs"}
NOT_OURS = re.compile(r"^(Django|Django Q|Axes)$")


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_spanish_pages_have_no_english_words_at_all(client, console, name):
    html = _render(client, console, name, "es-CL,es;q=0.9")
    english = sorted(text for text in _texts(html) if not NOT_OURS.match(text)
                     and ENGLISH_ONLY & set(re.findall(r"[a-z']+", text.lower())) - {"total", "stock"})
    assert english == []
