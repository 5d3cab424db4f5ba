"""Queue tasks: thin, take ids, safe to run twice."""

from orders import services
from orders.catalog_sync import catalog_sync


def run_odoo_commands(order_id: int) -> int:
    return len(services.odoo_commands_run(order_id=order_id))


def sweep_odoo_commands() -> dict:
    return services.odoo_commands_sweep()


def redrive_odoo_commands() -> int:
    return services.odoo_commands_redrive()


def watch_orders() -> dict:
    return services.purchase_orders_watch()


def sync_catalog() -> str:
    return str(catalog_sync())
