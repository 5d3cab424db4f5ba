"""Contacts, conversations, messages and the raw webhook deliveries they came from.

The database is the record: a delivery is stored before Chatwoot gets its 200, and an outbound reply is a Message
row in `queued` state before anything is posted to Chatwoot.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", "E-mail"
    WEB = "web", "Web widget"
    API = "api", "API"
    SMS = "sms", "SMS"
    TELEGRAM = "telegram", "Telegram"
    OTHER = "other", "Other"


class Contact(TimeStampedModel):
    account_id = models.BigIntegerField()
    chatwoot_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=255, blank=True)
    phone_e164 = models.CharField(max_length=32, blank=True, db_index=True)
    email = models.EmailField(blank=True, db_index=True)
    identifier = models.CharField(max_length=255, blank=True, db_index=True)
    # Web-widget visitors stay anonymous until the site identifies them (then they may be merged).
    is_anonymous = models.BooleanField(default=False)
    additional_attributes = models.JSONField(default=dict, blank=True)
    # When two Chatwoot contacts turn out to be one person, the loser points at the survivor.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account_id", "chatwoot_id"], name="contact_unique_chatwoot_id"),
        ]

    def __str__(self) -> str:
        return self.name or self.phone_e164 or self.email or f"contact {self.chatwoot_id}"


class ContactIdentity(TimeStampedModel):
    """A per-channel source id of a contact (Chatwoot's contact_inbox): wa_id, e-mail address, widget UUID…"""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    inbox_id = models.BigIntegerField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    source_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox_id", "source_id"], name="identity_unique_inbox_source"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.source_id}"


class ConversationMode(models.TextChoices):
    BOT = "bot", "Bot"
    HUMAN = "human", "Human"


class HandoffReason(models.TextChoices):
    """Why a conversation went to staff. The one list every surface uses (bot, sender, ingestion, console)."""

    HUMAN_REQUEST = "human_request", "Asked for a person"
    COMPLAINT = "complaint", "Complaint"
    ORDER_ATTENTION = "order_attention", "Order needs attention"
    FAILURE = "failure", "Bot failure"
    WHATSAPP_WINDOW = "whatsapp_window", "WhatsApp 24-hour window closed"
    HUMAN_REPLY = "human_reply", "A person replied in Chatwoot"
    CHATWOOT_OPENED = "chatwoot_opened", "Opened in Chatwoot"
    TAKEN_OVER = "taken_over", "Taken over by staff"
    STAFF_REPLY = "staff_reply", "Staff replied from the admin"


# Handoffs after which a person is already on the conversation: it does not "wait" for anyone.
PERSON_ON_IT_REASONS = (HandoffReason.HUMAN_REPLY, HandoffReason.TAKEN_OVER, HandoffReason.STAFF_REPLY)


class Conversation(TimeStampedModel):
    account_id = models.BigIntegerField()
    chatwoot_id = models.BigIntegerField(help_text="Chatwoot display id (used in REST paths)")
    inbox_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.OTHER)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    is_active = models.BooleanField(default=True)
    mode = models.CharField(max_length=8, choices=ConversationMode.choices, default=ConversationMode.BOT)
    chatwoot_status = models.CharField(max_length=16, blank=True)
    can_reply = models.BooleanField(default=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Why and since when the conversation waits for a human (set by handoffs, cleared on hand-back).
    handoff_reason = models.CharField(max_length=32, blank=True, choices=HandoffReason.choices)
    handoff_at = models.DateTimeField(null=True, blank=True)
    # The staff member who took it over from our admin (None while it still waits for someone).
    taken_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Set once when it waited too long for a human (HANDOFF_WAIT_ALERT_MINUTES): the notice is raised only once.
    handoff_alerted_at = models.DateTimeField(null=True, blank=True)
    assignee_chatwoot_id = models.BigIntegerField(null=True, blank=True)
    additional_attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account_id", "chatwoot_id"], name="conversation_unique_chatwoot_id"),
            # One active conversation per contact and channel, enforced by the database (issue #2).
            models.UniqueConstraint(
                fields=["contact", "channel"], condition=Q(is_active=True), name="one_active_conversation_per_channel"
            ),
        ]
        indexes = [models.Index(fields=["mode", "handoff_at"])]

    def __str__(self) -> str:
        return f"#{self.chatwoot_id} ({self.channel}, {self.mode})"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class SenderKind(models.TextChoices):
    CONTACT = "contact", "Contact"
    USER = "user", "Human agent"
    AGENT_BOT = "agent_bot", "Agent bot"
    NONE = "none", "None"


class MessageStatus(models.TextChoices):
    # inbound: received → read
    RECEIVED = "received", "Received"
    # outbound: queued → sending → sent → delivered → read, or failed
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    FAILED = "failed", "Failed"


class AnswerState(models.TextChoices):
    """Whether the agent owes this inbound message an answer. Set in the ingest transaction, so the database
    records the debt even if the broker drops the task (a sweeper re-drives pending ones)."""

    NONE = "", "Not answerable"
    PENDING = "pending", "Answer owed"
    ANSWERED = "answered", "Answered in a turn"
    SKIPPED = "skipped", "Not answered (staff had the conversation)"


class MessageOrigin(models.TextChoices):
    """Who produced an outbound message on our side (inbound messages are `chatwoot`)."""

    CHATWOOT = "chatwoot", "From Chatwoot"
    BOT = "bot", "Our agent"
    STAFF = "staff", "Staff via our admin"
    SYSTEM = "system", "System notice"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    chatwoot_id = models.BigIntegerField(null=True, blank=True)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    origin = models.CharField(max_length=8, choices=MessageOrigin.choices, default=MessageOrigin.CHATWOOT)
    sender_kind = models.CharField(max_length=16, choices=SenderKind.choices, default=SenderKind.NONE)
    sender_chatwoot_id = models.BigIntegerField(null=True, blank=True)
    sender_name = models.CharField(max_length=255, blank=True)
    private = models.BooleanField(default=False)
    content = models.TextField(blank=True)
    content_type = models.CharField(max_length=32, default="text")
    content_attributes = models.JSONField(default=dict, blank=True)
    # [{"file_type": "audio", "url": "...", "transcription": "...", "content_type": "...", "name": "..."}]
    attachments = models.JSONField(default=list, blank=True)
    # E-mail: subject and quoted history kept apart from the new text.
    subject = models.CharField(max_length=500, blank=True)
    quoted_text = models.TextField(blank=True)
    source_id = models.CharField(max_length=255, blank=True, help_text="Channel id, e.g. WhatsApp wamid")
    status = models.CharField(max_length=16, choices=MessageStatus.choices, db_index=True)
    error = models.TextField(blank=True)
    # Outbound only: our own key for the reply, so the echo webhook is recognised even before the POST returns.
    echo_key = models.CharField(max_length=64, blank=True)
    # Buttons offered with an outbound message: [{"title": ..., "value": ...}].
    options = models.JSONField(default=list, blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    chatwoot_created_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set by the staff member who wrote it from our admin.
    staff_user = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answer = models.CharField(max_length=8, choices=AnswerState.choices, default=AnswerState.NONE, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chatwoot_id"], condition=Q(chatwoot_id__isnull=False), name="message_unique_chatwoot_id"
            ),
            models.UniqueConstraint(fields=["echo_key"], condition=~Q(echo_key=""), name="message_unique_echo_key"),
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["conversation", "created_at"], condition=Q(answer="pending"),
                         name="message_answer_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.chatwoot_id or self.pk}: {self.content[:40]}"


class DeliveryOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """A raw Chatwoot delivery, stored before the 200 so nothing accepted is ever lost (STYLE habit 11)."""

    delivery_id = models.CharField(max_length=64, null=True, blank=True, help_text="X-Chatwoot-Delivery")
    # event + Chatwoot object id (+ what changed), so one message under two delivery ids is stored once.
    dedupe_key = models.CharField(max_length=255, null=True, blank=True)
    event = models.CharField(max_length=64, db_index=True)
    account_id = models.BigIntegerField(null=True, blank=True)
    body = models.TextField()
    headers = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=DeliveryOutcome.choices, default=DeliveryOutcome.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["delivery_id"], condition=Q(delivery_id__isnull=False), name="delivery_unique_delivery_id"
            ),
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(dedupe_key__isnull=False), name="delivery_unique_dedupe_key"
            ),
        ]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.delivery_id or self.pk}"


class DuplicateDelivery(models.Model):
    """One row per duplicate delivery we absorbed (answered `duplicate`, nothing reprocessed).

    Kept apart from WebhookDelivery so the store stays one INSERT … ON CONFLICT; duplicates are rare, and the
    dashboard counts them per window from here rather than from a counter that resets.
    """

    event = models.CharField(max_length=64)
    delivery_id = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"duplicate {self.event} {self.delivery_id or self.dedupe_key}"


class ConversationEvent(models.Model):
    """Audit row for every mode change, take-over, hand-back and staff reply (who, what, before, after, when)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    actor = models.CharField(max_length=150, help_text="'bot', 'system', 'chatwoot' or a staff username")
    before = models.CharField(max_length=32, blank=True)
    after = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor}"


class HandoffCase(models.Model):
    """One hand-over to staff: why, by whom, the summary staff read (also posted to Chatwoot as a private note),
    and when it ended (hand-back). With `Conversation.mode` it is the one record of a handoff."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="cases")
    reason = models.CharField(max_length=32, choices=HandoffReason.choices, db_index=True)
    actor = models.CharField(max_length=150, help_text="'bot', 'system', 'chatwoot' or a staff username")
    summary = models.TextField(blank=True)
    contact_text = models.TextField(blank=True)
    # The agent turn that decided it, when a turn did (a plain id: turns live on a higher floor).
    turn_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reason} on conversation {self.conversation_id}"


class StaffProfile(models.Model):
    """Per-staff settings for the handoff console: the Chatwoot agent id a take-over assigns the conversation to."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="staff_profile")
    chatwoot_agent_id = models.PositiveBigIntegerField(
        unique=True, help_text="The user's id in Chatwoot (Settings → Agents, or GET /api/v1/accounts/{id}/agents)"
    )

    def __str__(self) -> str:
        return f"{self.user} → Chatwoot agent {self.chatwoot_agent_id}"


# Templates for notices past WhatsApp's 24-hour window: their own module, registered with the app from here.
from conversations.whatsapp_templates import MessageTemplate, OutboundNotice  # noqa: E402, F401
