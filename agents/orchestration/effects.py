"""A turn's effects, run after its commit, from rows: its replies are posted (born claimed by the commit), then
the Odoo commands its order change queued run, then what the contact should hear about the order (its notices)
is told and posted, then what those notices owe Odoo (the quote marked sent) runs. Every step is idempotent and
re-driven by sweepers if this worker dies (stuck sends, the orders' command sweep, the agents' notice sweep), so
running it here is only the fast path."""

from __future__ import annotations

import logging

from agents.lanes.purchase.notices import order_notices_deliver
from agents.orchestration.commit import TurnRecord
from conversations.models import Conversation
from conversations.outbound.send import message_post_claimed
from orders.services import commands_run_by_caller, notices_told_by_caller, odoo_commands_run

logger = logging.getLogger(__name__)


def turn_effects_run(record: TurnRecord, conversation: Conversation) -> None:
    """Caller holds no transaction. Failures are logged and left to the sweepers: the turn is already answered."""
    commanded = [record.applied.order_id] if record.applied else []
    told = record.result.notify_order_id if record.result else None
    try:
        _post(record.sent, conversation)
        with notices_told_by_caller():
            for order_id in commanded:
                odoo_commands_run(order_id=order_id)
        for order_id in dict.fromkeys(commanded + ([told] if told else [])):
            with commands_run_by_caller():
                told_now = order_notices_deliver(order_id=order_id, send_now=True)
                _post(told_now, conversation)
            if told_now:
                odoo_commands_run(order_id=order_id)  # what the notices owe Odoo (a quote marked sent), once posted
    except Exception:  # noqa: BLE001 - the rows are the record: the sweepers finish what this could not
        logger.exception("effects of a turn in conversation %s left to the sweepers", record.conversation_id)


def _post(messages, conversation: Conversation) -> None:
    for message in messages:
        message.conversation = conversation  # the page of the row the commit created; no second read
        message_post_claimed(message=message)
