"""Scheduled tasks of the conversations app (seeded by name by `core.schedules.seed_schedules`)."""

SCHEDULES = [
    # Re-drives outbound messages stuck in queued/sending (a broker can drop an in-flight task).
    {"name": "outbound_sweep", "func": "conversations.tasks.sweep_outbound", "minutes": 1},
    # Re-drives webhook deliveries still pending (their processing task was lost).
    {"name": "webhook_delivery_sweep", "func": "conversations.tasks_ingest.sweep_deliveries", "minutes": 2},
    # Hands conversations idle with staff back to the bot; raises the once-only "waiting too long" notice.
    {"name": "handoff_sweep", "func": "conversations.tasks_handoff.sweep_handoffs", "minutes": 1},
]

# Fast sweeps (core.ticker, every few seconds in each worker): the same re-drives, so that work whose task vanished
# (a broker flushed, a worker killed) is back within seconds.
TICKS = ["conversations.tasks.sweep_outbound", "conversations.tasks_ingest.redrive_deliveries"]
