"""Outbound replies: a Message row in `queued` state first, then a send task posts it to Chatwoot.

Interface (implementation lands with the outbound work of issue #3):

    reply_queue(*, conversation_id: int, content: str, options: list[dict] | None = None, private: bool = False,
                origin: str = MessageOrigin.BOT, staff_user_id: int | None = None) -> Message
    claim_echo(*, conversation: Conversation, payload: dict) -> Message | None
        Called by ingestion for every outgoing `message_created`: returns our own queued/sending/sent row that this
        webhook echoes (and records its Chatwoot id), or None when the message was not ours.
"""
