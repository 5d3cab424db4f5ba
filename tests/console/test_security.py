"""A console safe on the internet: with DEBUG off, secure cookies, HSTS and the HTTPS redirect are on by default
(each overridable from the environment), `check --deploy` is clean for a correctly configured deployment, the
plain-HTTP probes (health check, metrics) still answer, and admin logins are throttled after repeated failures."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from tests.fakes.odoo import make_odoo_standin, odoo_standin  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "x7Qp-2vL9sK4mN8bR1tY6wE3uI0oP5aS7dF2gH4jK6lZ8xC1vB3nM5",
    "ALLOWED_HOSTS": "chat.example.cl,localhost",
    "CSRF_TRUSTED_ORIGINS": "https://chat.example.cl",
    "SITE_URL": "https://chat.example.cl",
    "CHATWOOT_BASE_URL": "https://chatwoot.example.cl",
    "CHATWOOT_API_TOKEN": "token-de-produccion",
    "CHATWOOT_WEBHOOK_SECRETS": "secreto-del-webhook",
    "ODOO_URL": "https://odoo.example.cl",
    "ODOO_DB": "standin", "ODOO_USERNAME": "admin", "ODOO_PASSWORD": "admin",
    "LOG_LEVEL": "WARNING",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py` in a fresh process with a production environment: no DEBUG, not a test run."""
    # Not the test run's own process settings: a metrics directory another test left behind would be opened at import.
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DEBUG", "PYTEST_VERSION", "TESTING", "PROMETHEUS_MULTIPROC_DIR")}
    # Its own database: the test run's is named test_<name>, and the checks must not depend on which exists.
    clean.update(PRODUCTION, DATABASE_URL=f"sqlite:///{tempfile.gettempdir()}/chatops-check-deploy.sqlite3", **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=clean, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_for_a_correctly_configured_deployment(odoo_standin):
    # --deploy also probes Odoo (integrations.E001): a correct deployment reaches it, here the stand-in.
    result = manage("check", "--deploy", "--fail-level", "WARNING", ODOO_URL=odoo_standin.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_catches_a_switched_off_protection(odoo_standin):
    result = manage("check", "--deploy", "--fail-level", "WARNING", SESSION_COOKIE_SECURE="false",
                    SECURE_HSTS_SECONDS="0", ODOO_URL=odoo_standin.url)
    assert result.returncode != 0
    assert "security.W012" in result.stderr and "security.W004" in result.stderr


def printed(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_defaults_and_their_overrides():
    show = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)")
    assert printed(manage("shell", "-c", show)) == "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
    overridden = manage("shell", "-c", show, SECURE_SSL_REDIRECT="0", SECURE_PROXY_SSL_HEADER="",
                        SECURE_HSTS_SECONDS="600")
    assert printed(overridden) == "False True True 600 None"


def test_a_malformed_proxy_header_stops_the_process_with_a_clear_error():
    result = manage("check", SECURE_PROXY_SSL_HEADER="https")
    assert result.returncode != 0 and 'SECURE_PROXY_SSL_HEADER must look like "X-Forwarded-Proto: https"' in (
        result.stderr)


def test_development_keeps_plain_http():
    result = manage("shell", "-c", "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
                                   "s.SESSION_COOKIE_SECURE)", DEBUG="1")
    assert printed(result) == "False False"


@pytest.fixture
def production_http(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000


@pytest.mark.django_db
@pytest.mark.usefixtures("production_http")
def test_plain_http_is_sent_to_https_but_the_probes_answer(client):
    redirected = client.get("/admin/login/")
    assert redirected.status_code == 301 and redirected["Location"] == "https://testserver/admin/login/"
    assert client.get("/healthz").status_code in (200, 503)  # answered, not redirected
    behind_proxy = client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
    assert behind_proxy.status_code == 200 and "max-age=31536000" in behind_proxy["Strict-Transport-Security"]


# --- login throttling (django-axes) ------------------------------------------------------------------------------

@pytest.fixture
def staff(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_user("rosa", password="la-buena", is_staff=True)
    django_user_model.objects.create_user("juan", password="la-de-juan", is_staff=True)


def log_in(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})


@pytest.mark.django_db
def test_repeated_failed_logins_lock_that_username_out_even_with_the_right_password(client, staff):
    for _ in range(2):
        assert log_in(client, "rosa", "mala").status_code == 200  # the login page again, with its error
    locked = log_in(client, "rosa", "mala")
    assert locked.status_code == 429
    assert "Demasiados intentos fallidos" in locked.content.decode()
    assert log_in(client, "rosa", "la-buena").status_code == 429  # still locked: no guessing on
    assert log_in(client, "juan", "la-de-juan").status_code == 302  # other staff log in as usual


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client, staff):
    for _ in range(2):
        log_in(client, "rosa", "mala")
    assert log_in(client, "rosa", "la-buena").status_code == 302
    client.logout()
    for _ in range(2):
        assert log_in(client, "rosa", "mala").status_code == 200
