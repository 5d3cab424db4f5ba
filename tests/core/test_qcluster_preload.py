"""`manage.py qcluster` is ours: it loads the task code and the router model before django-q2 forks its workers."""

from __future__ import annotations

import logging

from django.core.management import get_commands

from agents.routing import model
from core.management.commands.qcluster import preload


def test_qcluster_is_the_preloading_command():
    assert get_commands()["qcluster"] == "core"


def test_the_shipped_preload_list_loads_the_router_model(settings):
    model.forget_loaded()
    preload(settings.QCLUSTER_PRELOAD)
    assert "model" in model._CACHE


def test_a_name_that_cannot_load_is_logged_and_the_rest_still_loads(caplog):
    model.forget_loaded()
    with caplog.at_level(logging.WARNING):
        preload(["no_such_module_here", "agents.routing.model:intent_model"])
    assert "model" in model._CACHE
    assert any(getattr(r, "preload", "") == "no_such_module_here" for r in caplog.records)
