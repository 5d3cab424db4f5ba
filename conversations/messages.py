"""The message status state machine: one table of allowed moves, one door (`message_transition`).

inbound:  received → read
outbound: queued → sending → sent → delivered → read, or → failed (and failed → queued when staff retry)
Receipts can arrive out of order (read before delivered), so forward jumps are allowed; backward moves are not.
"""

from __future__ import annotations

from django.utils import timezone

from conversations.models import Message, MessageStatus
from core.errors import InvalidTransition

S = MessageStatus
ALLOWED_MOVES: dict[str, set[str]] = {
    S.RECEIVED: {S.READ},
    S.QUEUED: {S.SENDING, S.SENT, S.DELIVERED, S.READ, S.FAILED},
    S.SENDING: {S.SENT, S.DELIVERED, S.READ, S.FAILED, S.QUEUED},
    S.SENT: {S.DELIVERED, S.READ, S.FAILED},
    S.DELIVERED: {S.READ, S.FAILED},
    S.READ: set(),
    S.FAILED: {S.QUEUED, S.SENT, S.DELIVERED, S.READ},
}
_TIMESTAMP_FIELD = {S.SENT: "sent_at", S.DELIVERED: "delivered_at", S.READ: "read_at"}


def can_move(old: str, new: str) -> bool:
    return new in ALLOWED_MOVES.get(old, set())


def message_transition(*, message_id: int, from_status: str, to_status: str, **fields) -> bool:
    """Compare-and-set `status` from `from_status` to `to_status`, writing `fields` in the same UPDATE.

    Returns False when the row was no longer in `from_status` (someone else moved it first: the race was lost).
    Raises InvalidTransition for a move the table does not allow.
    """
    if not can_move(from_status, to_status):
        raise InvalidTransition(f"message {message_id}: {from_status} → {to_status} is not allowed")
    now = timezone.now()
    stamp = _TIMESTAMP_FIELD.get(to_status)
    if stamp and stamp not in fields:
        fields[stamp] = now
    return bool(
        Message.objects.filter(pk=message_id, status=from_status).update(status=to_status, updated_at=now, **fields)
    )


def message_advance(*, message: Message, to_status: str, **fields) -> bool:
    """Move forward if allowed from the current status; a stale or backward receipt is ignored (returns False)."""
    if message.status == to_status or not can_move(message.status, to_status):
        return False
    return message_transition(message_id=message.pk, from_status=message.status, to_status=to_status, **fields)
