"""Scheduled tasks of the conversations app (seeded by name by `core.schedules.seed_schedules`)."""

SCHEDULES = [
    # Re-drives outbound messages stuck in queued/sending (a broker can drop an in-flight task).
    {"name": "outbound_sweep", "func": "conversations.tasks.sweep_outbound", "minutes": 1},
]
