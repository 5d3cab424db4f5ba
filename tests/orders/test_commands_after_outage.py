"""After an Odoo outage the order's commands run as soon as Odoo (and its circuit breaker) let calls through again,
however many attempts the outage cost: the breaker, not the command's backoff, is what spares Odoo meanwhile."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from integrations.odoo import client as odoo_client
from orders import services
from orders.models import CommandState, OdooCommand
from orders.services import OrderChange
from tests.orders.factories import contact_with_conversation, lines, synced_catalog

pytestmark = pytest.mark.django_db
TICK = 0.2  # the fast sweeps' interval, scaled down like the backoff below


@pytest.fixture
def odoo(odoo_standin, settings):
    settings.ORDER_APPROVAL_THRESHOLD = 1_000_000
    synced_catalog()
    # The project's policy at a tenth of its time scale: 0.2 s backoff base, a breaker that opens after 5 failures
    # and lets a trial call through 3 s later, looked-up writes after 0.3 s.
    settings.ODOO_COMMAND_RETRY_BASE, settings.ODOO_COMMAND_RETRY_MAX = 0.2, 30.0
    settings.ODOO_BREAKER_FAIL_MAX, settings.ODOO_BREAKER_RESET_SECONDS = 5, 3
    settings.ODOO_MAYBE_DONE_DELAY, settings.ODOO_RETRY_WAIT = 0.3, 0
    odoo_client.reset()
    yield odoo_standin
    odoo_client.reset()


def _sweep_for(seconds: float, done) -> bool:
    """Run the commands' sweep every TICK, as each worker's ticker does, until `done()` or `seconds` passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        services.odoo_commands_sweep()
        if done():
            return True
        time.sleep(TICK)
    return False


def test_commands_refused_by_the_open_circuit_run_soon_after_odoo_is_back(odoo):
    contact, conversation = contact_with_conversation()
    odoo.down()
    with transaction.atomic():
        applied = services.order_change_apply(change=OrderChange("set_lines", lines=tuple(lines(
            ("AC-COCO-KG", 100),))), contact_id=contact.pk, conversation_id=conversation.pk)
    command = lambda: OdooCommand.objects.get(order_id=applied.order_id)  # noqa: E731
    # An outage long enough for seven attempts (the last one refused by the open circuit or by the dead Odoo).
    assert _sweep_for(30, lambda: command().attempts >= 7) and command().state == CommandState.PENDING
    odoo.up()
    # The breaker lets a trial call through within its reset time (3 s); one more sweep interval to pick it up,
    # and 2 s for a loaded machine. A backoff grown by the outage would wait far longer (up to 30 s here).
    assert _sweep_for(3 + 2 * TICK + 2, lambda: command().state == CommandState.DONE), (
        f"still waiting after Odoo came back: {OdooCommand.objects.values('attempts', 'next_attempt_at').get()}")
    assert len(odoo.state.tables["purchase.order"]) == 1
