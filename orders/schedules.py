"""Scheduled tasks of the orders app, seeded by name after migrate (core.schedules)."""

SCHEDULES = [
    {"name": "orders.sync_catalog", "func": "orders.tasks.sync_catalog", "minutes": 60},
    # Orders saved while Odoo was unreachable: pushed (and confirmed if the contact said yes) once it is back.
    {"name": "orders.push_pending", "func": "orders.tasks.push_pending_orders", "minutes": 1},
    # Odoo-side changes: receipt done (the contact is told), approvals or cancellations made in Odoo.
    {"name": "orders.watch_receipts", "func": "orders.tasks.watch_receipts", "minutes": 5},
]
