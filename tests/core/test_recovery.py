"""Recovery in seconds: short leases kept alive by a heartbeat while their holder runs, and the fast sweeps each
worker runs (core.ticker)."""

import time
import uuid

import pytest

from core import locks
from core.locks import is_locked, lock
from core.ticker import collect_ticks, tick_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_heartbeat_keeps_a_short_lease_while_its_holder_runs():
    name = f"test:{uuid.uuid4().hex}"
    with lock(name, ttl=0.3, wait=0, heartbeat=True):
        time.sleep(0.9)  # three TTLs: renewed, not lapsed
        assert is_locked(name)
    assert not is_locked(name)


def test_the_lease_of_a_holder_that_died_lapses_within_its_ttl():
    name = f"test:{uuid.uuid4().hex}"
    assert locks._backend().acquire(name, "dead-process", 0.3)  # acquired, never renewed nor released
    assert is_locked(name)
    time.sleep(0.45)
    assert not is_locked(name)
    with lock(name, ttl=5, wait=0):  # free for the next worker at once
        assert is_locked(name)


def test_every_app_lists_fast_sweeps_and_each_runs_once_per_interval(settings):
    settings.TICKER_INTERVAL = 5
    ticks = collect_ticks()
    assert {"agents.tasks.sweep_pending_turns", "agents.tasks.sweep_order_notices",
            "orders.tasks.redrive_odoo_commands", "conversations.tasks.sweep_outbound",
            "conversations.tasks_ingest.redrive_deliveries"} <= set(ticks)
    assert set(tick_once()) == set(ticks)
    assert tick_once() == {}  # another process already took this interval
