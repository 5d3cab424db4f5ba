"""Scheduled tasks of the agents app (seeded by name by `core.schedules`)."""

SCHEDULES = [
    {"name": "agents.sweep_pending_turns", "func": "agents.tasks.sweep_pending_turns", "minutes": 1},
    # Orders saved while Odoo was down owe the contact a quote: pushed, then the quote is sent (purchase agent).
    {"name": "agents.purchase_owed_quotes", "func": "agents.lanes.purchase.followup.send_owed_quotes", "minutes": 1},
]
