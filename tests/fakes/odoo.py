"""The Odoo stand-in as pytest fixtures: a real server on 127.0.0.1 (port 0, in a thread) our real client talks to.

    from tests.fakes.odoo import odoo_standin, make_odoo_standin  # noqa: F401

    def test_x(odoo_standin):                   # Odoo 17 over XML-RPC, settings pointed at it
        odoo_standin.url, odoo_standin.state    # state: tables, .receive(order_id, {line: qty}), .deliver(...),
                                                # .set_double_validation(...)
        odoo_standin.arm(kind="reset", phase="after", model="purchase.order", method="create")
        odoo_standin.fail_next("access", method="create")   # validation, missing, generic, denied, http500,
                                                            # http503, slow (seconds=), reset, drop_after
        odoo_standin.latency = 0.05
        odoo_standin.down(); odoo_standin.up()

    def test_y(make_odoo_standin):
        standin = make_odoo_standin(version=19, protocol="json2", mode="sale")
        standin = make_odoo_standin(version=18, apps={"purchase"})      # a database without the Sales app

The fixtures point ODOO_URL / ODOO_DB / ODOO_USERNAME / ODOO_PASSWORD / ODOO_PROTOCOL / ODOO_ORDER_MODEL at the
stand-in, turn DRY_RUN off, make retries instant and the timeout short, and reset the client cache, field cache and
breaker.
"""

from __future__ import annotations

import pytest

from integrations.odoo import client as odoo_client
from integrations.odoo.standin import OdooStandin
from integrations.odoo.standin.schema import APPS


@pytest.fixture
def make_odoo_standin(settings):
    started: list[OdooStandin] = []

    def make(*, version: int = 17, protocol: str = "xmlrpc", mode: str = "purchase", apps=APPS) -> OdooStandin:
        standin = OdooStandin(version=version, apps=apps).start()
        started.append(standin)
        settings.ODOO_URL = standin.url
        settings.ODOO_DB = "standin"
        settings.ODOO_USERNAME = "admin"
        settings.ODOO_PASSWORD = "admin"
        settings.ODOO_PROTOCOL = protocol
        settings.ODOO_ORDER_MODEL = mode
        settings.ODOO_TIMEOUT = 2.0
        settings.ODOO_RETRY_WAIT = 0
        settings.ODOO_BREAKER_FAIL_MAX = 5
        settings.DRY_RUN = False
        odoo_client.reset()
        return standin

    yield make
    for standin in started:
        standin.stop()
    odoo_client.reset()


@pytest.fixture
def odoo_standin(make_odoo_standin):
    return make_odoo_standin(version=17)
