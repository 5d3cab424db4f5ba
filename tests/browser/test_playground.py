"""The playground in a real headless Chromium against the live server, with the whole pipeline behind it:

browser → /playground/send/ → Chatwoot stand-in (real HTTP) → signed webhook to the live server → ingestion →
worker (django-q2 sync: inline in the webhook request) → agents → Odoo stand-in (XML-RPC) → outbound reply →
Chatwoot stand-in → echo webhook → the page polls /playground/messages/ and shows what our database holds.

A failing test leaves a screenshot and the page's HTML under artifacts/browser/ (tests/browser/conftest.py).
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from orders.catalog_sync import catalog_sync
from orders.models import PurchaseOrder
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401
from tests.fakes.odoo import make_odoo_standin, odoo_standin  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The live server's threads, the stand-in's webhooks and the test write at once; SQLite's in-memory test
    # database refuses concurrent writers (the same flow runs on SQLite in tests/conversations/test_playground.py).
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers (PostgreSQL)"),
]
SECRET = "browser-playground-secret"
PASSWORD = "clave-playground-42"
WAIT = 30  # seconds; a loaded CI machine runs the whole turn (Odoo included) inside one webhook request


@pytest.fixture
def pipeline(live_server, chatwoot_standin, odoo_standin, settings, django_user_model):
    """Both stand-ins wired to the live server, the catalog synced from Odoo, FAQs seeded, a staff login."""
    settings.CHATWOOT_USES_STANDIN = True
    settings.CHATWOOT_WEBHOOK_SECRETS = [SECRET]
    settings.AGENT_BURST_WINDOW = 0.0
    settings.AGENT_TURN_BACKOFF = 0.001
    settings.OPENAI_API_KEY = ""
    settings.SLACK_WEBHOOK_URL = ""
    settings.ORDER_APPROVAL_THRESHOLD = 10_000_000  # confirmed by the contact, no staff approval in between
    chatwoot_standin.secret = SECRET
    chatwoot_standin.webhook_url = f"{live_server.url}/webhooks/chatwoot/"
    import_module("agents.migrations.0002_seed_faqs").seed(django_apps, None)
    catalog_sync()
    django_user_model.objects.create_user("operadora", password=PASSWORD, is_staff=True)
    return chatwoot_standin


def log_in_and_open_playground(browser, live_server) -> None:
    browser.get(f"{live_server.url}/playground/")  # not logged in: sent to the admin login, then back here
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "id_username")))
    browser.find_element(By.ID, "id_username").send_keys("operadora")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "pg-input")))


def write(browser, text: str) -> None:
    box = browser.find_element(By.ID, "pg-input")
    box.send_keys(text)
    browser.find_element(By.ID, "pg-send").click()


def bot_bubble_containing(browser, text: str):
    """Wait for a bot reply whose text contains `text`; returns the bubble element. The page redraws bubbles as
    delivery states arrive, so a bubble found a moment ago may be gone: look again until it holds still."""
    def find(driver):
        try:
            for bubble in driver.find_elements(By.CSS_SELECTOR, ".pg-msg.pg-author-bot"):
                if text in bubble.find_element(By.CSS_SELECTOR, ".pg-text").text:
                    return bubble
        except StaleElementReferenceException:
            return False
        return False
    return WebDriverWait(browser, WAIT).until(find, message=f"no bot reply containing {text!r}")


def settled_bubble(browser, text: str, *, sent: bool = True):
    """The bubble once its reply is sent (no more redraws for it), found afresh."""
    WebDriverWait(browser, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: not sent or "enviado" in bot_bubble_containing(d, text).find_element(
            By.CSS_SELECTOR, ".pg-status").text)
    return bot_bubble_containing(browser, text)


def test_staff_orders_in_the_playground_sees_the_quote_and_confirms_with_the_button(browser, live_server, pipeline,
                                                                                   odoo_standin):
    log_in_and_open_playground(browser, live_server)
    assert browser.title.startswith("Playground")

    write(browser, "Hola")
    greeting = bot_bubble_containing(browser, "¡Hola!")
    assert greeting.find_element(By.CSS_SELECTOR, ".pg-meta").text.startswith("info · greeting · ")
    assert greeting.find_element(By.CSS_SELECTOR, ".pg-meta").text.endswith(" · rules")
    WebDriverWait(browser, WAIT).until(lambda d: "enviado" in greeting.find_element(By.CSS_SELECTOR, ".pg-status").text)

    write(browser, "Necesito 100kg aceite de coco")
    quote = settled_bubble(browser, "Cotización")
    assert "100 kg Aceite de coco" in quote.text
    assert "purchase · order_create · " in quote.find_element(By.CSS_SELECTOR, ".pg-meta").text
    buttons = quote.find_elements(By.CSS_SELECTOR, ".pg-options button")
    assert [b.text for b in buttons] == ["Confirmar", "Modificar", "Cancelar"]

    buttons[0].click()
    confirmed = settled_bubble(browser, "¡Listo! Tu pedido")
    assert "order_confirm" in confirmed.find_element(By.CSS_SELECTOR, ".pg-meta").text
    contact_lines = [b.text for b in browser.find_elements(By.CSS_SELECTOR, ".pg-msg.pg-inbound .pg-text")]
    assert contact_lines == ["Hola", "Necesito 100kg aceite de coco", "Confirmar"]
    admin_link = browser.find_element(By.ID, "pg-admin-link").get_attribute("href")
    assert admin_link.endswith(f"/admin/conversations/conversation/{order_conversation_id()}/change/")
    order = PurchaseOrder.objects.get()
    assert order.state == "confirmed" and order.odoo_name in confirmed.text
    assert [o["state"] for o in odoo_standin.state.tables["purchase.order"].values()] == ["purchase"]


def order_conversation_id() -> int:
    return PurchaseOrder.objects.get().conversation_id


def test_new_contact_starts_an_empty_chat_with_another_number(browser, live_server, pipeline):
    log_in_and_open_playground(browser, live_server)
    write(browser, "Hola")
    bot_bubble_containing(browser, "¡Hola!")
    first_number = browser.find_element(By.ID, "pg-contact-phone").text

    browser.find_element(By.ID, "pg-new-contact").click()
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "pg-contact-phone").text != first_number)
    WebDriverWait(browser, WAIT).until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".pg-msg"))
    write(browser, "Hola")
    bot_bubble_containing(browser, "¡Hola!")
    assert len(pipeline.conversations) == 2
