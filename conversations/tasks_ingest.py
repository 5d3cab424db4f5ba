"""Ingestion tasks (kept apart from `conversations/tasks.py`, which the outbound slice owns). Thin, safe twice."""

from conversations.ingest import webhook_delivery_process, webhook_delivery_sweep


def process_delivery(delivery_id: int) -> str:
    return webhook_delivery_process(delivery_id=delivery_id)


def sweep_deliveries() -> int:
    return webhook_delivery_sweep()


def redrive_deliveries() -> int:
    """Fast sweep (core.ticker): deliveries whose processing task vanished a few seconds ago."""
    return webhook_delivery_sweep(older_than_seconds=10)
