"""A turn's effects, run after its commit, from rows: the Odoo commands its order change queued, then what the
contact should hear about the order (its notices). Every step is idempotent and re-driven by sweepers if this
worker dies (orders' command sweep, the agents' notice sweep, the outbound sweep), so running it here is only the
fast path."""

from __future__ import annotations

import logging

from agents.lanes.purchase.notices import order_notices_deliver
from agents.orchestration.commit import TurnRecord
from orders.services import odoo_commands_run

logger = logging.getLogger(__name__)


def turn_effects_run(record: TurnRecord) -> None:
    """Caller holds no transaction. Failures are logged and left to the sweepers: the turn is already answered."""
    commanded = [record.applied.order_id] if record.applied else []
    told = record.result.notify_order_id if record.result else None
    try:
        for order_id in commanded:
            odoo_commands_run(order_id=order_id)
        for order_id in dict.fromkeys(commanded + ([told] if told else [])):
            order_notices_deliver(order_id=order_id)
    except Exception:  # noqa: BLE001 - the rows are the record: the sweepers finish what this could not
        logger.exception("effects of a turn in conversation %s left to the sweepers", record.conversation_id)
