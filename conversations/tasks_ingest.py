"""Ingestion tasks (kept apart from `conversations/tasks.py`, which the outbound slice owns). Thin, safe twice."""

from conversations.ingest import webhook_delivery_process, webhook_delivery_sweep


def process_delivery(delivery_id: int) -> str:
    return webhook_delivery_process(delivery_id=delivery_id)


def sweep_deliveries() -> int:
    return webhook_delivery_sweep()
