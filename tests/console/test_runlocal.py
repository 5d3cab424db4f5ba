"""`make run` (`manage.py runlocal`): the admin login survives restarts, and `--port N` wires every local piece to
that port, with the stand-ins moved to free ports when another instance holds theirs."""

from __future__ import annotations

import socket

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from console.management.commands.runlocal import ensure_admin, local_wiring, standin_commands

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def can_log_in(password: str) -> bool:
    return authenticate(RequestFactory().post("/admin/login/"), username="admin", password=password) is not None


def test_the_first_run_creates_the_admin_and_prints_its_password(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    password = ensure_admin()
    assert password and can_log_in(password)


def test_a_restart_keeps_the_password_staff_may_have_changed(monkeypatch, django_user_model):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    first = ensure_admin()
    admin = django_user_model.objects.get(username="admin")
    admin.set_password("la-que-elegí")
    admin.save()
    assert ensure_admin() is None  # nothing new to print
    assert can_log_in("la-que-elegí") and not can_log_in(first)


def test_admin_password_from_the_environment_sets_it_every_time(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "desde-el-entorno")
    assert ensure_admin() == "desde-el-entorno" and can_log_in("desde-el-entorno")
    monkeypatch.setenv("ADMIN_PASSWORD", "otra-clave")
    assert ensure_admin() == "otra-clave" and can_log_in("otra-clave") and not can_log_in("desde-el-entorno")


def test_another_port_points_site_url_and_the_chatwoot_webhooks_at_it(monkeypatch, settings):
    monkeypatch.delenv("SITE_URL", raising=False)
    settings.CHATWOOT_USES_STANDIN = settings.ODOO_USES_STANDIN = True
    wiring = local_wiring(8001)
    assert wiring["SITE_URL"] == "http://127.0.0.1:8001"
    chatwoot, odoo = standin_commands(wiring, 8001)
    assert chatwoot[0][0] == "chatwoot_standin"
    assert chatwoot[0][chatwoot[0].index("--webhook-url") + 1] == "http://127.0.0.1:8001/webhooks/chatwoot/"
    assert odoo[0][:1] == ["odoo_standin"]


def test_a_public_site_url_is_kept_for_links_but_webhooks_stay_local(monkeypatch, settings):
    monkeypatch.setenv("SITE_URL", "https://tunel.example.cl")
    settings.SITE_URL = "https://tunel.example.cl"  # as settings.py reads it from that environment
    settings.CHATWOOT_USES_STANDIN = True
    wiring = local_wiring(8001)
    assert wiring["SITE_URL"] == "https://tunel.example.cl"
    [chatwoot, *_] = standin_commands(wiring, 8001)
    assert "http://127.0.0.1:8001/webhooks/chatwoot/" in chatwoot[0]


def test_stand_in_ports_held_by_another_instance_are_replaced_by_free_ones(settings):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        settings.CHATWOOT_STANDIN_PORT = busy
        wiring = local_wiring(8001)
    moved = int(wiring["CHATWOOT_STANDIN_PORT"])
    assert moved != busy and moved > 0


def test_real_systems_start_no_stand_in(settings):
    settings.CHATWOOT_USES_STANDIN = settings.ODOO_USES_STANDIN = False
    assert standin_commands(local_wiring(8001), 8001) == []
