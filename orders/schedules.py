"""Scheduled tasks of the orders app, seeded by name after migrate (core.schedules)."""

SCHEDULES = [
    {"name": "orders.sync_catalog", "func": "orders.tasks.sync_catalog", "minutes": 60},
    # Odoo-side changes: approvals or cancellations made in Odoo, goods received (the contact is told).
    {"name": "orders.watch_receipts", "func": "orders.tasks.watch_orders", "minutes": 5},
    # Odoo commands whose runner is gone or whose retry is due (Odoo was down, a worker died mid-command).
    {"name": "orders.sweep_odoo_commands", "func": "orders.tasks.sweep_odoo_commands", "minutes": 1},
]
# Fast sweep (core.ticker): commands whose runner is gone, back within seconds.
TICKS = ["orders.tasks.redrive_odoo_commands"]
