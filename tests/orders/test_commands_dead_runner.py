"""A worker killed while it runs an order's Odoo command: the command is run again (looked up first) within
seconds, as a killed turn is, so the contact's quote or confirmation does not wait for the lease to run out.

The runner is a real process (`manage.py shell`) killed with SIGKILL while the Odoo stand-in holds its create call;
the sweeper then runs in this process, as the fast sweeps of the surviving workers do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from orders import services
from orders.models import CommandState, OdooCommand, PurchaseOrder
from orders.services import OrderChange
from tests.orders.factories import contact_with_conversation, lines, synced_catalog

BASE_DIR = Path(__file__).resolve().parents[2]
RECOVERY_SECONDS = 15  # a killed turn's conversation lease lapses within 10 s, and the fast sweeps run every 5 s


@pytest.fixture
def odoo(odoo_standin, settings, transactional_db):
    settings.ORDER_APPROVAL_THRESHOLD = 1_000_000
    synced_catalog()
    return odoo_standin


def _runner(order_id: int, odoo_url: str) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}, "DEBUG": "1",
           "DATABASE_URL": url, "ODOO_URL": odoo_url, "ODOO_DB": "standin", "ODOO_USERNAME": "admin",
           "ODOO_PASSWORD": "admin", "ODOO_TIMEOUT": "60"}
    code = f"from orders.services import odoo_commands_run; odoo_commands_run(order_id={order_id})"
    return subprocess.Popen([sys.executable, "manage.py", "shell", "-c", code], cwd=BASE_DIR, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the runner process needs the test database")
def test_a_command_whose_runner_was_killed_runs_again_within_seconds_and_once(odoo):
    contact, conversation = contact_with_conversation()
    with transaction.atomic():
        applied = services.order_change_apply(change=OrderChange("set_lines", lines=tuple(lines(
            ("AC-COCO-KG", 100), ("FS-ALM-KG", 20)))), contact_id=contact.pk, conversation_id=conversation.pk)
    # Odoo holds the runner's create (and rolls it back): the runner is in the middle of its command.
    odoo.arm(kind="timeout", phase="before", model="purchase.order", method="create", seconds=20)
    runner = _runner(applied.order_id, odoo.url)
    try:
        assert _wait(lambda: odoo.faults.applied, 30), "the runner never reached Odoo's create"
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(10)
    push = OdooCommand.objects.get()
    assert push.state == CommandState.RUNNING

    def finished() -> bool:
        services.odoo_commands_sweep()
        push.refresh_from_db()
        return push.state == CommandState.DONE

    assert _wait(finished, RECOVERY_SECONDS), "the command was still waiting for its dead runner's lease"
    [odoo_order] = odoo.state.tables["purchase.order"].values()
    assert PurchaseOrder.objects.get().odoo_id == odoo_order["id"]
