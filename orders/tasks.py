"""Queue tasks: thin, take ids, safe to run twice."""

from integrations.calls import with_calls_batched
from orders import services
from orders.catalog_sync import catalog_sync


@with_calls_batched
def run_odoo_commands(order_id: int) -> int:
    return len(services.odoo_commands_run(order_id=order_id))


@with_calls_batched
def sweep_odoo_commands() -> dict:
    return services.odoo_commands_sweep()


def redrive_odoo_commands() -> int:
    return services.odoo_commands_redrive()


@with_calls_batched
def watch_orders() -> dict:
    return services.purchase_orders_watch()


@with_calls_batched
def sync_catalog() -> str:
    return str(catalog_sync())
