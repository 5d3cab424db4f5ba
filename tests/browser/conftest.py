"""A real headless Chromium for tests against Django's `live_server` (Debian's `chromium` and `chromium-driver`).

    def test_x(browser, live_server):
        browser.get(live_server.url + "/admin/")

Outside CI a machine without the browser skips these tests; in CI (`CI=true`, set by `.ci/run`, which also installs
the packages) a missing browser is a failure, so the browser tests can never silently stop running. When a test
that used `browser` fails, a screenshot and the page's HTML are saved under `artifacts/browser/`.

The browser asks for Chilean Spanish (Accept-Language es-CL), as staff's browsers do; a test parametrized with
`browser_language` gets another. `screenshot(browser, name)` saves a 1280×800 picture of the page under
`artifacts/screenshots/<this run>/<language>/` (ignored by git), so each run's pictures sit together.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / time.strftime("%Y%m%d-%H%M%S")
VIEWPORT = {"width": 1280, "height": 800}
# Headless and quiet: no GPU, no QUIC, and none of Chromium's background traffic (updates, sync, field trials),
# so the only network the browser touches is the live server on 127.0.0.1.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,900",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _require_browser() -> None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return
    message = f"browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver)"
    if _in_ci():
        pytest.fail(message)
    pytest.skip(message)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so the fixture knows, at teardown, whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def save_failure_artefacts(driver, nodeid: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:]
    screenshot, html = ARTIFACTS / f"{stem}.png", ARTIFACTS / f"{stem}.html"
    driver.save_screenshot(str(screenshot))
    html.write_text(driver.page_source, encoding="utf-8")
    return [screenshot, html]


@pytest.fixture
def browser_language() -> str:
    return "es-CL"


def screenshot(driver, name: str) -> Path:
    """The page as staff see it at 1280×800, saved as `<run>/<language>/<name>.png`."""
    folder = SCREENSHOTS / driver.console_language
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


@pytest.fixture
def browser(request, tmp_path_factory, browser_language):
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    options = Options()
    options.binary_location = CHROMIUM
    for argument in [*CHROMIUM_ARGS, f"--user-data-dir={profile}", f"--lang={browser_language}"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": browser_language})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    # The window's size includes the browser's own frame; the page itself must be exactly 1280×800.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {**VIEWPORT, "deviceScaleFactor": 1, "mobile": False})
    driver.console_language = browser_language
    try:
        yield driver
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            saved = save_failure_artefacts(driver, request.node.nodeid)
            print(f"browser artefacts: {', '.join(str(path) for path in saved)}")
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
