"""Handoff lives here: the door (`door`), the staff console's services (`staff`) and the transcript the
conversation page shows (`transcript`)."""

from conversations.handoff.door import (
    conversation_admin_path, conversation_hand_back, conversation_hand_over, conversation_human_has_it,
)
from conversations.handoff.staff import (
    REPLY_MAX_CHARS, TakeOver, conversation_auto_return, conversation_message_retry, conversation_staff_hand_back,
    conversation_staff_reply, conversation_take_over, conversation_wait_alert, handoff_sweep, idle_with_staff,
    reason_label, staff_replies, waiting_too_long,
)
from conversations.handoff.transcript import (
    TranscriptLine, attachment_links, conversation_transcript, message_author,
)

__all__ = [
    "REPLY_MAX_CHARS", "TakeOver", "TranscriptLine", "attachment_links", "conversation_admin_path",
    "conversation_auto_return", "conversation_hand_back", "conversation_hand_over", "conversation_human_has_it",
    "conversation_message_retry", "conversation_staff_hand_back", "conversation_staff_reply",
    "conversation_take_over", "conversation_transcript", "conversation_wait_alert", "handoff_sweep",
    "idle_with_staff", "message_author", "reason_label", "staff_replies", "waiting_too_long",
]
