"""`manage.py qcluster`: django-q2's cluster, started warm.

django-q2 forks every worker from this process, and forks a new one after `Q_CLUSTER["recycle"]` tasks. A worker
forked cold imports the task code and loads the router model on its first task (about 2 s of CPU); under load that
happens every few seconds and takes a large share of the machine. Importing what `QCLUSTER_PRELOAD` names here,
before the fork, makes every worker start with it already in memory (shared copy-on-write).
"""

from __future__ import annotations

import importlib
import logging
import time

from django.conf import settings
from django_q.management.commands.qcluster import Command as ClusterCommand

logger = logging.getLogger(__name__)


def preload(names: list[str]) -> None:
    """Import each "module" and call each "module:function"; a failure is logged and the cluster still starts."""
    for name in names:
        module_name, _, function = name.partition(":")
        try:
            module = importlib.import_module(module_name)
            if function:
                getattr(module, function)()
        except Exception as exc:  # noqa: BLE001 - the worker loads it again on its first task and reports it there
            logger.warning("qcluster preload failed", extra={"preload": name, "reason": repr(exc)[:300]})


class Command(ClusterCommand):
    help = ClusterCommand.help + " The task code and the router model are loaded before the workers fork."

    def handle(self, *args, **options):
        started = time.monotonic()
        preload(settings.QCLUSTER_PRELOAD)
        logger.info("qcluster preloaded", extra={"seconds": round(time.monotonic() - started, 2)})
        super().handle(*args, **options)
