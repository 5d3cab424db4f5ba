"""The PostgreSQL engine checks a reused connection only after it sat idle, and still replaces a dead one."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the engine is PostgreSQL's"),
]


def _query() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def checks(monkeypatch):
    calls = []
    usable = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: calls.append(1) or usable())
    yield calls
    connection.settings_dict["HEALTH_CHECK_IDLE"] = 5.0


def test_a_connection_used_a_moment_ago_goes_straight_to_work(checks):
    _query()
    connection.close_if_unusable_or_obsolete()  # the end of a request or a task
    _query()
    assert checks == []


def test_an_idle_connection_is_checked_first(checks):
    _query()
    connection.settings_dict["HEALTH_CHECK_IDLE"] = 0.0
    connection.close_if_unusable_or_obsolete()
    _query()
    assert checks == [1]


def test_an_idle_connection_the_server_dropped_is_replaced_before_the_query(checks):
    from django.db import connections

    first = _query()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    finally:
        other.close()
    connection.settings_dict["HEALTH_CHECK_IDLE"] = 0.0
    connection.close_if_unusable_or_obsolete()
    assert _query() != first  # reconnected, no error reached the caller
    assert checks == [1]
