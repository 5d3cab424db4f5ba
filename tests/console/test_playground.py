"""The playground views over HTTP: the page sends through the real Chatwoot stand-in (a real HTTP server), the
stand-in's signed webhooks are fed to our real webhook view, the pipeline answers, and the JSON endpoint shows
what our database holds. Deliveries are queued by the stand-in and posted from the test thread, one at a time, so
this also runs on SQLite (the browser test covers the threaded, live-server path). Each delivery's on-commit work
(the worker's tasks: django-q2 is in sync mode) runs as the test's transaction would commit it."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
from collections import deque
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from agents.models import Turn
from conversations.models import Conversation, Message, WebhookDelivery
from orders.catalog_sync import catalog_sync
from orders.models import PurchaseOrder
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401
from tests.fakes.odoo import make_odoo_standin, odoo_standin  # noqa: F401

SECRET = "playground-secret"


class Phone:
    """The staff member's browser: the page's three JSON calls, plus the stand-in's webhooks delivered to us."""

    def __init__(self, client, standin, on_commit):
        self.client, self.standin, self.deliveries, self.on_commit = client, standin, deque(), on_commit
        standin.webhook_sink = lambda payload, headers: self.deliveries.append((payload, headers))

    def drain(self) -> None:
        while self.deliveries:
            payload, headers = self.deliveries.popleft()
            extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                     if k.lower().startswith("x-chatwoot")}
            with self.on_commit(execute=True):
                response = self.client.post("/webhooks/chatwoot/", data=json.dumps(payload, separators=(",", ":")),
                                            content_type="application/json", **extra)
            assert response.status_code == 200, response.content

    def send(self, text):
        response = self.client.post("/playground/send/", data=json.dumps({"text": text}),
                                    content_type="application/json")
        self.drain()
        return response

    def transcript(self) -> dict:
        response = self.client.get("/playground/messages/")
        assert response.status_code == 200
        return response.json()

    def bot_replies(self) -> list[dict]:
        return [m for m in self.transcript()["messages"] if m["author"] == "bot"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Password hashing is not under test; the default hasher costs a second per user on a loaded CI machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_user("operadora", password="pw", is_staff=True)


@pytest.fixture
def phone(client, staff, chatwoot_standin, settings, django_capture_on_commit_callbacks):
    settings.CHATWOOT_USES_STANDIN = True
    settings.CHATWOOT_WEBHOOK_SECRETS = [SECRET]
    settings.AGENT_BURST_WINDOW = 0.0
    settings.AGENT_TURN_BACKOFF = 0.001
    settings.OPENAI_API_KEY = ""
    settings.SLACK_WEBHOOK_URL = ""
    chatwoot_standin.secret = SECRET
    import_module("agents.migrations.0002_seed_faqs").seed(django_apps, None)
    client.force_login(staff)
    return Phone(client, chatwoot_standin, django_capture_on_commit_callbacks)


def test_hola_goes_through_the_stand_in_and_the_bot_reply_carries_its_turn(phone):
    assert phone.send("Hola").status_code == 200

    [conversation] = phone.standin.conversations.values()
    contact = phone.transcript()["contact"]
    assert conversation["contact"]["phone_number"] == contact["phone"]
    assert [m["content"] for m in conversation["messages"] if m["message_type"] == "incoming"] == ["Hola"]
    data = phone.transcript()
    inbound, reply = data["messages"]
    assert (inbound["author"], inbound["direction"], inbound["content"], inbound["status"]) == (
        "contact", "inbound", "Hola", "received")
    assert reply["author"] == "bot" and reply["content"].startswith("¡Hola!")
    assert reply["status"] == "sent"
    turn = Turn.objects.get()
    assert reply["turn"] == {"lane": "info", "intent": "greeting", "confidence": round(turn.confidence, 2),
                             "source": "rules", "agent": turn.agent, "handoff_reason": ""}
    assert data["conversation"]["chatwoot_id"] == conversation["id"] and data["conversation"]["mode"] == "bot"


def test_the_next_message_continues_the_same_conversation(phone):
    phone.send("Hola")
    phone.send("¿a qué hora abren?")
    assert len(phone.standin.conversations) == 1
    assert Conversation.objects.count() == 1
    assert "horario" in phone.bot_replies()[-1]["content"].lower()


def test_a_quote_shows_buttons_and_a_button_title_is_the_next_message(phone, odoo_standin, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000
    catalog_sync()
    phone.send("Necesito 100kg aceite de coco")
    quote = phone.bot_replies()[-1]
    assert quote["content"].startswith("Cotización ")
    assert [o["title"] for o in quote["options"]] == ["Confirmar", "Modificar", "Cancelar"]
    assert (quote["turn"]["lane"], quote["turn"]["intent"]) == ("purchase", "order_create")

    phone.send(quote["options"][0]["title"])  # what the page's button sends
    confirmed = phone.bot_replies()[-1]
    assert confirmed["content"].startswith("¡Listo! Tu pedido")
    assert PurchaseOrder.objects.get().state == "confirmed"


def test_new_contact_starts_a_fresh_phone_number_and_conversation(phone):
    phone.send("Hola")
    first = phone.transcript()["contact"]["phone"]
    response = phone.client.post("/playground/new-contact/", data="{}", content_type="application/json")
    assert response.status_code == 200 and response.json()["messages"] == []
    second = response.json()["contact"]["phone"]
    assert second != first and second.startswith("+569") and len(second) == 12

    phone.send("Hola")
    assert len(phone.standin.conversations) == 2
    assert Conversation.objects.values("contact__phone_e164").distinct().count() == 2
    assert [m["content"] for m in phone.transcript()["messages"]][0] == "Hola"
    assert len(phone.transcript()["messages"]) == 2


def test_private_notes_never_show_on_the_phone(phone):
    phone.send("quiero hablar con una persona")
    assert Message.objects.filter(private=True).exists()  # the handoff summary for staff
    data = phone.transcript()
    assert all(not m["content"].startswith("🤖") for m in data["messages"])
    assert data["conversation"]["mode"] == "human"
    assert phone.bot_replies()[-1]["turn"]["handoff_reason"]


@pytest.mark.parametrize("body, error", [  # in Spanish, the console's default language
    ({"text": "   "}, "Escribe un mensaje primero."),
    ({"text": 5}, 'Falta "text" (un texto).'),
    ({"text": "x" * 4001}, "Los mensajes tienen un máximo de 4000 caracteres."),
])
def test_bad_input_is_refused_and_nothing_reaches_chatwoot(phone, body, error):
    response = phone.client.post("/playground/send/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and response.json() == {"error": error}
    assert phone.standin.conversations == {}


def test_a_body_that_is_not_json_is_refused(phone):
    response = phone.client.post("/playground/send/", data="hola", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["error"]


def test_with_a_real_chatwoot_the_page_says_so_and_sending_is_refused(phone, settings):
    settings.CHATWOOT_USES_STANDIN = False
    settings.CHATWOOT_BASE_URL = "https://chatwoot.example.invalid"
    page = phone.client.get("/playground/").content.decode()
    assert "no está disponible con un Chatwoot real" in page and "https://chatwoot.example.invalid" in page
    response = phone.send("Hola")
    assert response.status_code == 409 and "Chatwoot real" in response.json()["error"]
    assert phone.standin.conversations == {}


def test_stand_in_down_is_a_clear_502(phone, settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CHATWOOT_BASE_URL = f"http://127.0.0.1:{port}"
    response = phone.send("Hola")
    assert response.status_code == 502
    assert "no respondió" in response.json()["error"] and "make run" in response.json()["error"]


def test_page_renders_for_staff_with_the_simulated_contact(phone):
    page = phone.client.get("/playground/").content.decode()
    contact = phone.client.session["playground_contact"]
    assert contact["phone"] in page and 'id="pg-input"' in page and 'id="pg-new-contact"' in page


def test_a_message_dropped_as_a_duplicate_is_shown_with_why_not_silence(phone):
    phone.send("Hola")
    phone.standin._ids["message"] = 9000  # a stand-in restarted without its state hands out "Hola"'s id again
    phone.send("¿a qué hora abren?")

    dropped = phone.transcript()["messages"][-1]
    assert (dropped["content"], dropped["author"], dropped["status"]) == ("¿a qué hora abren?", "contact", "dropped")
    assert "duplicado" in dropped["error"]
    assert Message.objects.filter(content="¿a qué hora abren?").count() == 0


def test_a_message_whose_webhook_never_arrives_is_shown_waiting_then_never_received(phone, monkeypatch):
    phone.send("Hola")
    phone.standin.webhook_sink = lambda payload, headers: None  # Chatwoot's webhook goes nowhere
    phone.send("¿tienen despacho?")
    assert phone.transcript()["messages"][-1]["status"] == "sending"

    later = time.time() + 11
    monkeypatch.setattr("console.playground.services.time.time", lambda: later)
    lost = phone.transcript()["messages"][-1]
    assert (lost["content"], lost["status"]) == ("¿tienen despacho?", "missing")
    assert "webhook" in lost["error"]


def test_a_delivery_that_failed_in_the_worker_shows_its_reason(phone):
    phone.send("Hola")
    held = []
    phone.standin.webhook_sink = lambda payload, headers: held.append((payload, headers))
    phone.send("necesito factura")
    [(payload, _headers)] = held
    WebhookDelivery.objects.create(event="message_created", dedupe_key=f"message_created:1:{payload['id']}",
                                   body="{}", outcome="failed", error="content: not a string")
    failed = phone.transcript()["messages"][-1]
    assert (failed["content"], failed["status"], failed["error"]) == (
        "necesito factura", "failed", "content: not a string")


def test_a_webhook_that_refused_the_message_is_shown_with_its_status(phone):
    def refused(payload, headers):  # what urllib raises when our webhook answers 401 (a secret that changed)
        raise urllib.error.HTTPError("http://testserver/webhooks/chatwoot/", 401, "Unauthorized", None, None)

    phone.standin.webhook_sink = refused
    phone.send("Hola")
    message = phone.transcript()["messages"][-1]
    assert (message["status"], message["content"]) == ("refused", "Hola")
    assert "401" in message["error"]


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get("/playground/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next=/playground/")


@pytest.mark.django_db
@pytest.mark.parametrize("method, url", [("get", "/playground/messages/"), ("post", "/playground/send/"),
                                         ("post", "/playground/new-contact/")])
def test_json_endpoints_refuse_non_staff(client, django_user_model, method, url):
    assert getattr(client, method)(url).status_code == 403
    client.force_login(django_user_model.objects.create_user("cliente", password="pw"))
    response = getattr(client, method)(url)
    assert response.status_code == 403 and response.json() == {"error": "Inicia sesión con una cuenta del equipo."}
    assert client.get("/playground/").status_code == 302
