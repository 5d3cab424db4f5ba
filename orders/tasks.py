"""Queue tasks: thin, take ids, safe to run twice (STYLE habit 8)."""

from orders import services
from orders.catalog_sync import catalog_sync


def push_order(order_id: int) -> str:
    return services.purchase_order_push_to_odoo(order_id=order_id).outcome


def push_pending_orders() -> dict:
    return services.purchase_orders_push_pending(older_than_seconds=30)


def watch_receipts() -> dict:
    return services.purchase_orders_watch_receipts()


def sync_catalog() -> str:
    return str(catalog_sync())
