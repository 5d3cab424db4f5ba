"""Proves the browser harness: a staff member logs into the admin in a real Chromium against the live server."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import save_failure_artefacts

PASSWORD = "una-clave-de-prueba-42"


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="operadora", password=PASSWORD, is_staff=True, is_superuser=True
    )


def _log_in(browser, live_server, password: str) -> None:
    browser.get(f"{live_server.url}/admin/")
    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.ID, "id_username")))
    browser.find_element(By.ID, "id_username").send_keys("operadora")
    browser.find_element(By.ID, "id_password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()


def test_staff_user_logs_in_and_sees_the_admin_index(browser, live_server, staff_user):
    _log_in(browser, live_server, PASSWORD)

    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, "body.dashboard")))
    assert "operadora" in browser.find_element(By.ID, "user-tools").text.lower()
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#content-main a")]
    assert any((href or "").endswith("/admin/auth/user/") for href in links)


def test_wrong_password_stays_on_the_login_page_with_an_error(browser, live_server, staff_user):
    _log_in(browser, live_server, "otra-clave")

    error = WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".errornote")))
    assert error.is_displayed()
    assert "/admin/login/" in browser.current_url


def test_failure_artefacts_are_a_screenshot_and_the_page(browser, live_server):
    browser.get(f"{live_server.url}/admin/login/")
    screenshot, html = save_failure_artefacts(browser, "tests/browser/test_admin_login.py::artefact_probe")
    try:
        assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "id_username" in html.read_text(encoding="utf-8")
    finally:
        screenshot.unlink(missing_ok=True), html.unlink(missing_ok=True)
