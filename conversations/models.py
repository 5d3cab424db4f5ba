"""Contacts, conversations, messages and the raw webhook deliveries they came from.

The database is the record: a delivery is stored before Chatwoot gets its 200, and an outbound reply is a Message
row in `queued` state before anything is posted to Chatwoot.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web widget")
    API = "api", "API"
    SMS = "sms", "SMS"
    TELEGRAM = "telegram", "Telegram"
    OTHER = "other", _("Other")


class Contact(TimeStampedModel):
    account_id = models.BigIntegerField(_("account"))
    chatwoot_id = models.BigIntegerField(_("Chatwoot id"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    phone_e164 = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    identifier = models.CharField(_("identifier"), max_length=255, blank=True, db_index=True)
    # Web-widget visitors stay anonymous until the site identifies them (then they may be merged).
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    additional_attributes = models.JSONField(_("Chatwoot attributes"), default=dict, blank=True)
    # When two Chatwoot contacts turn out to be one person, the loser points at the survivor.
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="merged")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["account_id", "chatwoot_id"], name="contact_unique_chatwoot_id"),
        ]

    def __str__(self) -> str:
        return self.name or self.phone_e164 or self.email or f"contact {self.chatwoot_id}"


class ContactIdentity(TimeStampedModel):
    """A per-channel source id of a contact (Chatwoot's contact_inbox): wa_id, e-mail address, widget UUID…"""

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="identities")
    inbox_id = models.BigIntegerField(_("inbox"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    source_id = models.CharField(_("channel id"), max_length=255)

    class Meta:
        verbose_name = _("channel identity")
        verbose_name_plural = _("channel identities")
        constraints = [
            models.UniqueConstraint(fields=["inbox_id", "source_id"], name="identity_unique_inbox_source"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.source_id}"


class ConversationMode(models.TextChoices):
    BOT = "bot", _("Bot")
    HUMAN = "human", _("Human")


class HandoffReason(models.TextChoices):
    """Why a conversation went to staff. The one list every surface uses (bot, sender, ingestion, console)."""

    HUMAN_REQUEST = "human_request", _("Asked for a person")
    COMPLAINT = "complaint", _("Complaint")
    ORDER_ATTENTION = "order_attention", _("Order needs attention")
    FAILURE = "failure", _("Bot failure")
    WHATSAPP_WINDOW = "whatsapp_window", _("WhatsApp 24-hour window closed")
    HUMAN_REPLY = "human_reply", _("A person replied in Chatwoot")
    CHATWOOT_OPENED = "chatwoot_opened", _("Opened in Chatwoot")
    TAKEN_OVER = "taken_over", _("Taken over by staff")
    STAFF_REPLY = "staff_reply", _("Staff replied from the admin")


# Handoffs after which a person is already on the conversation: it does not "wait" for anyone.
PERSON_ON_IT_REASONS = (HandoffReason.HUMAN_REPLY, HandoffReason.TAKEN_OVER, HandoffReason.STAFF_REPLY)


class Conversation(TimeStampedModel):
    account_id = models.BigIntegerField(_("account"))
    chatwoot_id = models.BigIntegerField(_("Chatwoot id"), help_text="Chatwoot display id (used in REST paths)")
    inbox_id = models.BigIntegerField(_("inbox"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.OTHER)
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.PROTECT,
                                related_name="conversations")
    is_active = models.BooleanField(_("active"), default=True)
    mode = models.CharField(_("mode"), max_length=8, choices=ConversationMode.choices, default=ConversationMode.BOT)
    chatwoot_status = models.CharField(_("Chatwoot status"), max_length=16, blank=True)
    can_reply = models.BooleanField(_("can reply"), default=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True, db_index=True)
    # When the contact last wrote (WhatsApp's 24-hour window runs from it), kept by the same UPDATE as the above.
    last_inbound_at = models.DateTimeField(_("contact last wrote"), null=True, blank=True)
    # Why and since when the conversation waits for a human (set by handoffs, cleared on hand-back).
    handoff_reason = models.CharField(_("why it waits"), max_length=32, blank=True, choices=HandoffReason.choices)
    handoff_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    # The staff member who took it over from our admin (None while it still waits for someone).
    taken_by = models.ForeignKey("auth.User", verbose_name=_("taken by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # Set once when it waited too long for a human (HANDOFF_WAIT_ALERT_MINUTES): the notice is raised only once.
    handoff_alerted_at = models.DateTimeField(_("staff notified at"), null=True, blank=True)
    assignee_chatwoot_id = models.BigIntegerField(_("Chatwoot assignee"), null=True, blank=True)
    additional_attributes = models.JSONField(_("Chatwoot attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["account_id", "chatwoot_id"], name="conversation_unique_chatwoot_id"),
            # One active conversation per contact and channel, enforced by the database, so concurrent deliveries
            # cannot open two.
            models.UniqueConstraint(
                fields=["contact", "channel"], condition=Q(is_active=True), name="one_active_conversation_per_channel"
            ),
        ]
        indexes = [models.Index(fields=["mode", "handoff_at"])]

    def __str__(self) -> str:
        return f"#{self.chatwoot_id} ({self.channel}, {self.mode})"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class SenderKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    USER = "user", _("Human agent")
    AGENT_BOT = "agent_bot", _("Agent bot")
    NONE = "none", _("None")


class MessageStatus(models.TextChoices):
    # inbound: received → read
    RECEIVED = "received", _("Received")
    # outbound: queued → sending → sent → delivered → read, or failed
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class AnswerState(models.TextChoices):
    """Whether the agent owes this inbound message an answer. Set in the ingest transaction, so the database
    records the debt even if the broker drops the task (a sweeper re-drives pending ones)."""

    NONE = "", _("Not answerable")
    PENDING = "pending", _("Answer owed")
    ANSWERED = "answered", _("Answered in a turn")
    SKIPPED = "skipped", _("Not answered (staff had the conversation)")


class MessageOrigin(models.TextChoices):
    """Who produced an outbound message on our side (inbound messages are `chatwoot`)."""

    CHATWOOT = "chatwoot", _("From Chatwoot")
    BOT = "bot", _("Our agent")
    STAFF = "staff", _("Staff via our admin")
    SYSTEM = "system", _("System notice")


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE,
                                     related_name="messages")
    chatwoot_id = models.BigIntegerField(null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    origin = models.CharField(_("written by"), max_length=8, choices=MessageOrigin.choices,
                              default=MessageOrigin.CHATWOOT)
    sender_kind = models.CharField(_("sender"), max_length=16, choices=SenderKind.choices, default=SenderKind.NONE)
    sender_chatwoot_id = models.BigIntegerField(null=True, blank=True)
    sender_name = models.CharField(max_length=255, blank=True)
    private = models.BooleanField(_("private note"), default=False)
    content = models.TextField(_("text"), blank=True)
    content_type = models.CharField(max_length=32, default="text")
    content_attributes = models.JSONField(default=dict, blank=True)
    # [{"file_type": "audio", "url": "...", "transcription": "...", "content_type": "...", "name": "..."}]
    attachments = models.JSONField(default=list, blank=True)
    # E-mail: subject and quoted history kept apart from the new text.
    subject = models.CharField(max_length=500, blank=True)
    quoted_text = models.TextField(blank=True)
    source_id = models.CharField(max_length=255, blank=True, help_text="Channel id, e.g. WhatsApp wamid")
    status = models.CharField(_("status"), max_length=16, choices=MessageStatus.choices, db_index=True)
    error = models.TextField(_("error"), blank=True)
    # Outbound only: our own key for the reply, so the echo webhook is recognised even before the POST returns.
    echo_key = models.CharField(max_length=64, blank=True)
    # Buttons offered with an outbound message: [{"title": ..., "value": ...}].
    options = models.JSONField(default=list, blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    chatwoot_created_at = models.DateTimeField(null=True, blank=True)
    # Set by ingestion to the delivery's arrival (conversations.ingest.arrival), else when the row is made.
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set by the staff member who wrote it from our admin.
    staff_user = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answer = models.CharField(max_length=8, choices=AnswerState.choices, default=AnswerState.NONE, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
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
    PENDING = "pending", _("Pending")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """A raw Chatwoot delivery, stored before the 200 so nothing accepted is ever lost."""

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
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
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

    class Meta:
        verbose_name = _("duplicate delivery")
        verbose_name_plural = _("duplicate deliveries")

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
        verbose_name = _("conversation event")
        verbose_name_plural = _("conversation events")
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
        verbose_name = _("handoff case")
        verbose_name_plural = _("handoff cases")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reason} on conversation {self.conversation_id}"


class StaffProfile(models.Model):
    """Per-staff settings for the handoff console: the Chatwoot agent id a take-over assigns the conversation to."""

    user = models.OneToOneField("auth.User", verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="staff_profile")
    chatwoot_agent_id = models.PositiveBigIntegerField(_("Chatwoot agent id"), 
        unique=True, help_text=_("The user's id in Chatwoot (Settings → Agents, or GET /api/v1/accounts/{id}/agents)")
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} → Chatwoot agent {self.chatwoot_agent_id}"


# Templates for notices past WhatsApp's 24-hour window: their own module, registered with the app from here.
from conversations.whatsapp_templates import MessageTemplate, OutboundNotice  # noqa: E402, F401
