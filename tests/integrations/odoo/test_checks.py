"""Impossible Odoo setups are named in one sentence by the opt-in live check (`check --deploy --tag odoo`), which
a plain `manage.py check` never runs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

pytestmark = pytest.mark.django_db


def deploy_check() -> str:
    out = StringIO()
    call_command("check", "--deploy", "--tag", "odoo", stdout=out, stderr=out)
    return out.getvalue()


def failing_check() -> str:
    with pytest.raises(SystemCheckError) as caught:
        deploy_check()
    return str(caught.value)


@pytest.mark.parametrize("version,protocol,mode", [(17, "xmlrpc", "purchase"), (18, "jsonrpc", "sale"),
                                                   (19, "json2", "sale")])
def test_a_working_setup_passes(make_odoo_standin, version, protocol, mode):
    make_odoo_standin(version=version, protocol=protocol, mode=mode)
    assert "System check identified no issues" in deploy_check()


@pytest.mark.parametrize("version", [17, 18])
def test_json2_on_odoo_17_or_18(make_odoo_standin, version):
    standin = make_odoo_standin(version=version, protocol="json2")
    assert (f"ODOO_PROTOCOL=json2 needs Odoo 19 or later, but {standin.url} runs Odoo {version}.0: set "
            "ODOO_PROTOCOL=xmlrpc (or jsonrpc) with the user's password or API key.") in failing_check()


@pytest.mark.parametrize("mode,apps,expected", [
    ("sale", {"purchase"}, "has no Sales app (sale.order does not exist): install Sales there, or set "
                           "ODOO_ORDER_MODEL=purchase."),
    ("purchase", {"sale"}, "has no Purchase app (purchase.order does not exist): install Purchase there, or set "
                           "ODOO_ORDER_MODEL=sale."),
])
def test_the_app_the_order_model_needs_is_missing(make_odoo_standin, mode, apps, expected):
    make_odoo_standin(version=18, mode=mode, apps=apps)
    assert expected in failing_check()


@pytest.mark.parametrize("mode,flag,right", [("sale", "sale_user", "Sales / User: Own Documents Only"),
                                             ("purchase", "purchase_user", "Purchase / User")])
def test_a_user_without_the_rights_the_mode_needs(make_odoo_standin, mode, flag, right):
    standin = make_odoo_standin(version=19, mode=mode)
    standin.state.tables["res.users"][2][flag] = False
    assert f"Odoo user 'admin' lacks the rights ODOO_ORDER_MODEL={mode} needs: give it {right} in Odoo" \
        in failing_check()


def test_a_bad_login_and_an_unreachable_odoo(make_odoo_standin, settings):
    standin = make_odoo_standin(version=17)
    settings.ODOO_PASSWORD = "otra"
    assert f"Odoo at {standin.url} (database 'standin') refused the login 'admin'" in failing_check()
    settings.ODOO_PASSWORD, settings.ODOO_RETRY_ATTEMPTS = "admin", 1
    standin.down()
    assert "is unreachable (OdooUnavailable: connection refused" in failing_check()


def test_a_plain_check_never_calls_odoo(odoo_standin):
    odoo_standin.down()  # would fail the live check
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()
