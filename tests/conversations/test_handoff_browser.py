"""The handoff console in a real headless Chromium against the live server: the page's buttons post the change
form through `formaction`, which only a browser exercises. Staff write a reply, it reaches the Chatwoot stand-in
and shows as sent in the transcript; then they hand the conversation back to the bot.

A failing test leaves a screenshot and the page's HTML under artifacts/browser/ (tests/browser/conftest.py).
"""

from __future__ import annotations

import pytest
from django.db import connection
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conversations.models import Conversation
from tests.browser.conftest import browser  # noqa: F401
from tests.conversations.handoff_helpers import handed_over, page_url
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The live server's thread and the test write at once; SQLite's in-memory test database refuses that.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers (PostgreSQL)"),
]
PASSWORD = "clave-consola-42"
TEXT = "Hola, soy Marta de ventas. Su pedido sale mañana."


@pytest.fixture
def logged_in(browser, live_server, django_user_model):  # noqa: F811 - the fixture imported above
    django_user_model.objects.create_user("marta", password=PASSWORD, is_staff=True, is_superuser=True)
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys("marta")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, "body.dashboard")))
    return browser


def test_staff_reply_and_hand_back_from_the_conversation_page(logged_in, live_server, chatwoot_standin):
    conversation = handed_over(chatwoot_standin, reason="complaint", minutes_ago=20)
    logged_in.get(live_server.url + page_url(conversation))
    logged_in.find_element(By.ID, "id_reply_content").send_keys(TEXT)
    logged_in.find_element(By.XPATH, "//button[normalize-space()='Send reply']").click()
    row = WebDriverWait(logged_in, 15).until(
        EC.presence_of_element_located((By.XPATH, f"//tr[contains(@class, 'msg-outbound')][contains(., '{TEXT}')]")))
    assert "Staff · marta (admin)" in row.text and "Sent" in row.text
    assert [s["content"] for s in chatwoot_standin.sent] == [TEXT]

    logged_in.find_element(By.XPATH, "//button[normalize-space()='Hand back to the bot']").click()
    WebDriverWait(logged_in, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist")))
    assert "Handed 1 conversation(s) back to the bot." in logged_in.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    assert Conversation.objects.get(pk=conversation.pk).mode == "bot"
    assert chatwoot_standin.status_changes[-1] == (conversation.chatwoot_id, "pending")
