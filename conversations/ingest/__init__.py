"""Chatwoot webhook ingestion: one dispatch table, one processing service, each delivery stored before it is
acknowledged.

    CHATWOOT_EVENT_HANDLERS[event] -> EventHandler(func, acts)
    webhook_delivery_process(*, delivery_id) -> str      (the task's service; safe to run twice)
    webhook_delivery_reprocess(*, delivery_id) -> str    (the admin's `reprocess` action)
    webhook_delivery_sweep(*, older_than_seconds=120) -> int   (scheduled: re-drives stuck pending deliveries)

What a payload must look like (every field the handlers read) is in `schema.py`: `payload_parse` is the one check,
at the webhook edge (400) and again in the worker (a failed delivery with a one-line reason).
"""

from conversations.ingest.dispatch import CHATWOOT_EVENT_HANDLERS, EventHandler
from conversations.ingest.process import webhook_delivery_process, webhook_delivery_reprocess, webhook_delivery_sweep

__all__ = [
    "CHATWOOT_EVENT_HANDLERS", "EventHandler", "webhook_delivery_process", "webhook_delivery_reprocess",
    "webhook_delivery_sweep",
]
