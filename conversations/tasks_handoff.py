"""Queue tasks of the handoff console. Thin, because the broker may deliver a task twice: take ids, re-read, act
on the state as it is NOW, safe to run twice."""

from __future__ import annotations

import logging

from django.conf import settings
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from conversations.handoff import handoff_sweep
from conversations.models import Conversation, ConversationMode, StaffProfile
from integrations.chatwoot.client import chatwoot_client
from integrations.chatwoot.errors import ChatwootError

logger = logging.getLogger(__name__)


def sweep_handoffs() -> dict:
    """Scheduled: auto hand-back of conversations idle with staff, and the once-only "waiting too long" notice."""
    counts = handoff_sweep()
    if any(counts.values()):
        logger.info("handoff sweep", extra=counts)
    return counts


def wanted_assignee(row: dict) -> int | None:
    """Human mode: the Chatwoot agent id of the staff member who took it (None when unknown). Bot mode: nobody."""
    if row["mode"] != ConversationMode.HUMAN or row["taken_by_id"] is None:
        return None
    return StaffProfile.objects.filter(user_id=row["taken_by_id"]).values_list("chatwoot_agent_id", flat=True).first()


def mirror_assignee_to_chatwoot(conversation_id: int) -> str:
    """Assign the conversation in Chatwoot to whoever has it here (or unassign it once it is back with the bot).

    Reads the state at run time, so a late task after a take-over and a quick hand-back applies the last one.
    Returns what it did: `assigned`, `unassigned`, `unchanged`, `unknown_agent`, `failed` or `missing`.
    """
    row = (Conversation.objects.filter(pk=conversation_id)
           .values("chatwoot_id", "mode", "taken_by_id", "assignee_chatwoot_id").first())
    if row is None:
        return "missing"
    wanted = wanted_assignee(row)
    if wanted is None and row["mode"] == ConversationMode.HUMAN:
        return "unknown_agent"  # taken by staff without a Chatwoot agent id: leave Chatwoot's assignee alone
    if wanted == row["assignee_chatwoot_id"]:
        return "unchanged"
    client = chatwoot_client()
    try:
        _retrying()(client.assign, row["chatwoot_id"], wanted)
    except ChatwootError as exc:
        logger.error("could not mirror assignee of conversation %s to Chatwoot: %s", conversation_id, exc)
        return "failed"
    if not client.dry_run:
        Conversation.objects.filter(pk=conversation_id).update(assignee_chatwoot_id=wanted)
    return "assigned" if wanted else "unassigned"


def _retrying() -> Retrying:
    """Same budget as the status mirror: transient Chatwoot errors only, with backoff."""
    return Retrying(
        retry=retry_if_exception(lambda exc: isinstance(exc, ChatwootError) and exc.transient),
        stop=stop_after_attempt(settings.CHATWOOT_MIRROR_ATTEMPTS),
        wait=wait_exponential_jitter(initial=settings.CHATWOOT_MIRROR_BACKOFF, max=10),
        reraise=True,
    )
