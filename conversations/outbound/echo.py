"""Recognising our own replies when Chatwoot echoes them back as `message_created` (PROTOCOL.md sections 1, 6.5).

The echo carries no `echo_id` (Chatwoot returns it only in the REST response), and it can arrive BEFORE our POST
has returned, so a row may still be `sending` without a Chatwoot id. Matching, in order:
1. by Chatwoot message id, when the POST already returned and stored it;
2. otherwise our oldest row in that conversation, queued/sending/sent, same private flag and same content
   (normalised as Chatwoot's webhook content normaliser does), with no Chatwoot id yet.
The sender type is not used: with a user token our own replies come back with `sender.type == "user"`.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q, Subquery

from conversations.messages import message_transition
from conversations.models import Conversation, Direction, Message, MessageOrigin, MessageStatus
from core.metrics import outbound_messages_total
from integrations.chatwoot.client import chatwoot_client
from integrations.chatwoot.errors import ChatwootError

logger = logging.getLogger(__name__)
S = MessageStatus
_OURS = Q(direction=Direction.OUTBOUND) & ~Q(origin=MessageOrigin.CHATWOOT)
_CLAIMABLE = (S.QUEUED, S.SENDING, S.SENT)


def normalise(content: str | None) -> str:
    """Chatwoot strips markdown hard-break backslashes and trailing newlines from webhook content."""
    return (content or "").replace("\\\n", "\n").rstrip("\n").strip()


def claim_echo(*, conversation: Conversation, payload: dict) -> Message | None:
    """Return our row that this outgoing `message_created` echoes (recording its Chatwoot id), or None."""
    if payload.get("message_type") != "outgoing" or payload.get("id") is None:
        return None
    chatwoot_id = int(payload["id"])
    mine = Message.objects.filter(_OURS, chatwoot_id=chatwoot_id).first()
    if mine is None:
        mine = _claim_by_content(conversation, payload, chatwoot_id)
    if mine is None:
        return None
    _mark_sent(mine)
    mine.refresh_from_db()
    return mine


def _unnumbered_like(payload: dict) -> Q:
    """Our rows an echo may be of before its POST was answered: no Chatwoot id yet, still claimable, same
    private flag (the content is compared in Python, normalised: `_same_words`)."""
    return Q(chatwoot_id__isnull=True, status__in=_CLAIMABLE, private=bool(payload.get("private")))


def _same_words(rows, payload: dict) -> list[Message]:
    wanted = normalise(payload.get("content"))
    return [row for row in rows if normalise(row.content) == wanted]


def _claim_by_content(conversation: Conversation, payload: dict, chatwoot_id: int) -> Message | None:
    candidates = Message.objects.filter(_OURS, _unnumbered_like(payload), conversation=conversation).order_by(
        "created_at", "id")[:20]
    for candidate in _same_words(candidates, payload):
        if record_chatwoot_id(message_id=candidate.pk, chatwoot_id=chatwoot_id):
            return candidate
    # A concurrent delivery of the same echo may have claimed a row meanwhile.
    return Message.objects.filter(_OURS, chatwoot_id=chatwoot_id).first()


def claim_echo_at_receipt(*, account_id: int, payload: dict) -> Message | None:
    """Our row that this outgoing message (an echo, or a receipt about it) is, claimed if the POST has not
    recorded its Chatwoot id yet: one read and at most one write (and a second read when the POST's answer lands
    in between), without the contact and conversation upserts ingestion would do first. None when no row of ours
    matches (a staff message, or not claimable here: then the queued path decides).

    The read takes the row by Chatwoot id and, in the same query, our unnumbered rows of that conversation, so an
    echo that beat the POST's answer (most do, on a fast Chatwoot) is settled as cheaply as one that trailed it.
    Run it inside the caller's transaction: a lost race raises IntegrityError, which rolls that back."""
    chatwoot_id = int(payload["id"])
    conversation = Conversation.objects.filter(
        account_id=account_id, chatwoot_id=(payload.get("conversation") or {}).get("id")).values("pk")[:1]
    rows = list(Message.objects.filter(_OURS).filter(
        Q(chatwoot_id=chatwoot_id) | (Q(conversation_id=Subquery(conversation)) & _unnumbered_like(payload))
    ).order_by("created_at", "id")[:21])
    known = next((row for row in rows if row.chatwoot_id == chatwoot_id), None)
    if known is not None:
        return known
    candidate = next(iter(_same_words(rows, payload)), None)
    if candidate is None:
        return None
    if _number_and_mark_sent(candidate, chatwoot_id):
        return candidate
    # The POST's answer was being written as we read (our write waited for its commit): it numbered the row.
    return Message.objects.filter(_OURS, chatwoot_id=chatwoot_id).first()


def _number_and_mark_sent(message: Message, chatwoot_id: int) -> bool:
    """One compare-and-set: the Chatwoot id, and `sent` if the row was still queued or sending (the echo proves
    Chatwoot has it, so no later claim can post it again). False when the POST's answer or another delivery of
    the same echo got there first."""
    if message.status in (S.QUEUED, S.SENDING):
        if not message_transition(message_id=message.pk, from_status=message.status, to_status=S.SENT,
                                  chatwoot_id=chatwoot_id, error="", next_attempt_at=None):
            return False
        outbound_messages_total.labels(status="sent").inc()
        message.status = S.SENT
    elif not Message.objects.filter(pk=message.pk, chatwoot_id__isnull=True).update(chatwoot_id=chatwoot_id):
        return False
    message.chatwoot_id = chatwoot_id
    return True


def record_chatwoot_id(*, message_id: int, chatwoot_id: int) -> bool:
    """Set the Chatwoot id on our row if it has none yet (compare-and-set). False if it had one or the id is taken."""
    try:
        with transaction.atomic():
            return bool(Message.objects.filter(pk=message_id, chatwoot_id__isnull=True).update(chatwoot_id=chatwoot_id))
    except IntegrityError:
        return False


def claim_echo_known(*, message: Message) -> None:
    """The echo of our own row that already carries its Chatwoot id (its POST returned first): at most a status
    step, when the POST's own answer has not been recorded yet."""
    if message.status in (S.QUEUED, S.SENDING):
        _mark_sent(message)


def _mark_sent(message: Message) -> None:
    """The echo proves Chatwoot has it: queued/sending → sent, so no later claim can post it again."""
    for old in (S.QUEUED, S.SENDING):
        if message_transition(message_id=message.pk, from_status=old, to_status=S.SENT, error="", next_attempt_at=None):
            outbound_messages_total.labels(status="sent").inc()
            return


def find_in_chatwoot(message: Message) -> int | None:
    """Look our message up in Chatwoot's latest messages (user tokens only; bot tokens cannot list messages).

    Returns the Chatwoot id of an outgoing message with our content, created no earlier than our row and not
    already recorded on another of our rows; None when not found or when the lookup itself fails.
    """
    conversation = message.conversation
    try:
        page = chatwoot_client().list_messages(conversation.chatwoot_id)
    except ChatwootError as exc:
        logger.warning("cannot look up message %s in Chatwoot: %s", message.pk, exc)
        return None
    since = int(message.created_at.timestamp()) - 5  # clock skew allowance
    page_ids = [item["id"] for item in page.messages]
    taken = set(Message.objects.filter(chatwoot_id__in=page_ids).values_list("chatwoot_id", flat=True))
    for item in page.messages:
        if (item.get("message_type") in (1, "outgoing") and item["id"] not in taken
                and normalise(item.get("content")) == normalise(message.content)
                and bool(item.get("private")) == message.private and int(item.get("created_at") or 0) >= since):
            return int(item["id"])
    return None
