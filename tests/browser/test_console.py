"""The staff console in a real headless Chromium against the live server, in Spanish (Chile) and in English, with
the whole pipeline behind it: the Chatwoot stand-in delivers signed webhooks to the live server, the bot answers
(django-q2 in sync mode: inside the webhook request), staff replies go out through the stand-in.

- A staff member of the "Atención" group answers a waiting conversation from the inbox: takes it, replies with
  Enter, sees the ticks, sees the contact's next message arrive without a reload, hands it back.
- An approver approves an order from the order page's button.
- Every console page is saved at 1280×800 under artifacts/screenshots/<run>/<language>/ (see conftest.py).

A failing test leaves a screenshot and the page's HTML under artifacts/browser/.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conversations.models import Conversation
from orders.catalog_sync import catalog_sync
from tests.browser.conftest import screenshot
from tests.fakes.chatwoot import chatwoot_live, chatwoot_standin, wait_for  # noqa: F401
from tests.fakes.odoo import make_odoo_standin, odoo_standin  # noqa: F401
from tests.orders.factories import confirm, contact_with_conversation, create, quoted

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The live server's threads, the stand-in's webhooks and the test write at once; SQLite's in-memory test
    # database refuses concurrent writers.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers (PostgreSQL)"),
    pytest.mark.parametrize("browser_language", ["es-CL", "en"]),
]
WAIT = 20
PASSWORD = "clave-consola-42"
# What the page says, in each language (the tests read the page as staff do).
WORDS = {
    "es-CL": {"take": "Tomar", "hand_back": "Devolver al bot", "with_you": "Contigo", "with_bot": "Con el bot",
              "nobody": "nadie aún", "took": "tomó la conversación", "sent": "enviado", "approve": "Aprobar",
              "yes_approve": "Sí, aprobar", "confirmed": "Confirmada", "waiting": "Esperando a una persona"},
    "en": {"take": "Take", "hand_back": "Hand back to the bot", "with_you": "With you", "with_bot": "With the bot",
           "nobody": "nobody yet", "took": "took the conversation", "sent": "sent", "approve": "Approve",
           "yes_approve": "Yes, approve", "confirmed": "Confirmed", "waiting": "Waiting for a person"},
}


@pytest.fixture
def pipeline(chatwoot_live, odoo_standin, settings):
    settings.CHATWOOT_USES_STANDIN = True
    settings.AGENT_BURST_WINDOW = 0.0
    settings.AGENT_TURN_BACKOFF = 0.001
    settings.OPENAI_API_KEY = ""
    settings.SLACK_WEBHOOK_URL = ""
    settings.ORDER_APPROVAL_THRESHOLD = 0
    catalog_sync()
    return chatwoot_live


def staff_member(django_user_model, username: str, *groups: str):
    # A transactional test starts from flushed tables: the groups the data migrations made are re-made here.
    import_module("console.migrations.0001_staff_group").create_group(django_apps, None)
    import_module("orders.migrations.0003_approvers_group").create_approvers(django_apps, None)
    user = django_user_model.objects.create_user(username, password=PASSWORD, is_staff=True,
                                                 first_name=username.capitalize())
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


def log_in(browser, live_server, username: str) -> None:
    browser.get(f"{live_server.url}/admin/login/")
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "id_username")))
    screenshot(browser, "login")
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, "body.dashboard")))


def text_in(browser, element_id: str, text: str):
    WebDriverWait(browser, WAIT).until(
        lambda d: text in d.find_element(By.ID, element_id).text, message=f"{text!r} never shown in #{element_id}")


def test_staff_answer_a_waiting_conversation_from_the_inbox(browser, browser_language, live_server, pipeline,
                                                            django_user_model):
    words = WORDS[browser_language]
    marta = staff_member(django_user_model, "marta", "Atención")
    ids = pipeline.inbound(content="hola, quiero hablar con una persona",
                           contact={"name": "María González", "phone_number": "+56991110001"})
    conversation = Conversation.objects.get(chatwoot_id=ids["conversation_id"])
    assert conversation.mode == "human"  # the bot handed it over

    log_in(browser, live_server, "marta")
    screenshot(browser, "index")
    browser.get(f"{live_server.url}/admin/conversations/conversation/")
    row = browser.find_element(By.XPATH, "//tr[contains(., 'María González')]")
    assert "hola, quiero hablar con una persona" in row.text and words["nobody"] in row.text
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 1280  # no sideways scroll
    screenshot(browser, "conversation-list")

    row.find_element(By.PARTIAL_LINK_TEXT, "María González").click()
    text_in(browser, "inbox-mode", words["waiting"])
    browser.execute_script("window.consoleMarker = 'no reload'")
    screenshot(browser, "conversation-page")

    browser.find_element(By.ID, "action-take-over").click()
    text_in(browser, "inbox-mode", words["with_you"])
    text_in(browser, "inbox-thread", f"marta {words['took']}")
    assert not browser.find_elements(By.ID, "action-take-over")

    reply = "Hola María, soy Marta. Te ayudo con tu pedido."
    box = browser.find_element(By.ID, "id_reply_content")
    # Shift+Enter starts a new line (Keys.NULL releases Shift); Enter alone sends.
    box.send_keys(reply.split(". ")[0] + "." + Keys.SHIFT + Keys.ENTER + Keys.NULL + reply.split(". ", 1)[1])
    box.send_keys(Keys.ENTER)
    wait_for(lambda: [s["content"] for s in pipeline.sent if s["content"].startswith("Hola María")], timeout=WAIT)
    assert pipeline.sent[-1]["content"] == "Hola María, soy Marta.\nTe ayudo con tu pedido."
    bubble = WebDriverWait(browser, WAIT).until(EC.presence_of_element_located(
        (By.XPATH, "//article[contains(@class, 'msg-out')][contains(., 'soy Marta')]")))
    WebDriverWait(browser, WAIT).until(lambda d: words["sent"] in bubble.find_element(By.CLASS_NAME, "msg-tick").text)
    assert browser.find_element(By.ID, "id_reply_content").get_attribute("value") == ""

    pipeline.inbound(content="gracias, ¿me confirman para el jueves?", conversation_id=conversation.chatwoot_id)
    text_in(browser, "inbox-thread", "¿me confirman para el jueves?")  # the poll brought it in
    assert browser.execute_script("return window.consoleMarker") == "no reload"
    screenshot(browser, "conversation-page-answered")

    browser.find_element(By.ID, "action-hand-back").click()
    text_in(browser, "inbox-mode", words["with_bot"])
    assert Conversation.objects.get(pk=conversation.pk).mode == "bot" and marta.pk


def test_an_approver_approves_from_the_order_page(browser, browser_language, live_server, pipeline,
                                                  django_user_model, odoo_standin):
    words = WORDS[browser_language]
    staff_member(django_user_model, "jefa", "Atención", "Approvers")
    contact, conversation = contact_with_conversation(name="Restaurante Las Dalias")
    order = create(contact, conversation, ("FS-ALM-KG", 20), ("FS-NUEZ-KG", 5))
    order.refresh_from_db()  # with the live pipeline the agents may already have told the quote (state sent)
    order = confirm(contact, conversation, quoted(order) if order.state == "draft" else order)
    assert order.state == "to_approve"

    log_in(browser, live_server, "jefa")
    browser.get(f"{live_server.url}/admin/orders/purchaseorder/")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 1280
    screenshot(browser, "order-list")
    browser.find_element(By.PARTIAL_LINK_TEXT, order.odoo_name).click()
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "order-approve")))
    assert "IVA" in browser.page_source or "VAT" in browser.page_source
    screenshot(browser, "order-page")

    browser.find_element(By.ID, "order-approve").click()
    yes = WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "decide-submit")))
    assert yes.get_attribute("value") == words["yes_approve"]
    screenshot(browser, "order-approve-confirmation")
    yes.click()
    current = WebDriverWait(browser, WAIT).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, ".order-statusbar li.current")))
    assert current.text == words["confirmed"] and not browser.find_elements(By.ID, "order-approve")
    assert browser.current_url.endswith(f"/admin/orders/purchaseorder/{order.pk}/change/")
    order.refresh_from_db()
    assert order.state == "confirmed" and odoo_standin.state.tables["purchase.order"][order.odoo_id]["state"] == (
        "purchase")
    screenshot(browser, "order-page-approved")

    # Some of the bot's work for the dashboard to show: a greeting, a question, a contact asking for a person.
    for text, phone in (("hola", "+56991110002"), ("¿a qué hora abren?", "+56991110002"),
                        ("quiero hablar con una persona", "+56991110003")):
        pipeline.inbound(content=text, contact={"name": "Cliente", "phone_number": phone})
    for period in ("24h", "7d", "30d"):
        browser.get(f"{live_server.url}/admin/dashboard/?period={period}")
        WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "card-waiting-now")))
        assert browser.find_element(By.CSS_SELECTOR, ".dash-periods a.current").get_attribute("id") == (
            f"period-{period}")
        screenshot(browser, f"dashboard-{period}")
