"""Scheduled tasks of the agents app (seeded by name by `core.schedules`)."""

SCHEDULES = [
    {"name": "agents.sweep_pending_turns", "func": "agents.tasks.sweep_pending_turns", "minutes": 1},
    {"name": "agents.sweep_order_notices", "func": "agents.tasks.sweep_order_notices", "minutes": 1},
]
# Fast sweeps (core.ticker): the same re-drives every few seconds, so a lost task or a killed worker costs seconds.
TICKS = ["agents.tasks.sweep_pending_turns", "agents.tasks.sweep_order_notices"]
