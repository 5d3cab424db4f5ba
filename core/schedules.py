"""Scheduled tasks, seeded idempotently by name, so every deploy may seed them again.

Each app lists its schedules in `<app>/schedules.py` as `SCHEDULES = [{"name": ..., "func": ..., "minutes": N}]`.
`seed_schedules()` runs after every migrate and creates or updates them by name.
"""

import importlib

from django.apps import apps

# Core's own schedules: the collector below imports `core.schedules` like any other app's, so they live here.
SCHEDULES = [
    {"name": "retention", "func": "core.retention.retention_task", "minutes": 24 * 60},
]


def collect_schedules() -> list[dict]:
    found = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.schedules")
        except ModuleNotFoundError:
            continue
        found.extend(getattr(module, "SCHEDULES", []))
    return found


def seed_schedules(**kwargs) -> int:
    from django_q.models import Schedule

    count = 0
    for spec in collect_schedules():
        Schedule.objects.update_or_create(
            name=spec["name"],
            defaults={
                "func": spec["func"],
                "schedule_type": Schedule.MINUTES,
                "minutes": spec["minutes"],
                "repeats": -1,
            },
        )
        count += 1
    return count
