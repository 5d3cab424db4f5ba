"""Outbound replies: a Message row in `queued` state first, then a send task posts it to Chatwoot, so a crash
re-drives it.

Public interface (other apps import from here):

    reply_queue(*, conversation_id, content, options=None, private=False, origin=MessageOrigin.BOT,
                staff_user_id=None) -> Message
    conversation_post_private_note(*, conversation_id, content) -> Message
    claim_echo(*, conversation, payload) -> Message | None
        Called by ingestion for every outgoing `message_created`: returns our own row this webhook echoes (and
        records its Chatwoot id), or None when the message was not ours (a human wrote it).
    claim_echo_at_receipt(*, account_id, payload) -> Message | None
        The same for the webhook's short path, before anything is upserted (inside the caller's transaction).
    message_retry(*, message_id) -> bool          (the admin's `retry` action on a failed message)
    conversations.outbound.send.message_send(*, message_id) -> SendOutcome   (the send task's service; not
        re-exported here because sending hands conversations over, and the handoff door queues notes from here)
    outbound_sweep() -> dict                      (the scheduled sweeper)

Never posted twice: the queued → sending compare-and-set is the only way to a POST, and an echo (or a lookup in
Chatwoot) that shows the message already exists moves the row to `sent` so no later claim can succeed.
"""

from conversations.outbound.echo import claim_echo, claim_echo_at_receipt, claim_echo_known
from conversations.outbound.queue import conversation_post_private_note, message_retry, reply_queue
from conversations.outbound.sweep import message_recover_stuck, outbound_sweep

__all__ = [
    "claim_echo", "claim_echo_at_receipt", "claim_echo_known", "conversation_post_private_note", "message_recover_stuck", "message_retry", "outbound_sweep",
    "reply_queue",
]
