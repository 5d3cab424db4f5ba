"""Agent state and records: sessions (versioned JSON documents), turns and FAQs.

PostgreSQL is the record: a session is a row updated by compare-and-set on `version`; Redis only caches it. Which
messages still owe an answer is recorded on the messages themselves (`conversations.Message.answer`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Session(models.Model):
    """The dialogue state of one conversation. One active row per conversation; older ones stay as history."""

    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="sessions")
    is_active = models.BooleanField(default=True)
    schema_version = models.PositiveSmallIntegerField()
    document = models.JSONField(default=dict)
    # Optimistic concurrency: every write is `UPDATE ... WHERE version = <read version>` and bumps it.
    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    last_activity_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"], condition=Q(is_active=True), name="one_active_session_per_conversation"
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.pk} of conversation {self.conversation_id} (v{self.version})"


class TurnSource(models.TextChoices):
    LLM = "llm", "LLM"
    RULES = "rules", _("Rules")
    NONE = "none", _("None (failed before routing)")


class Turn(models.Model):
    """One answered turn: the message(s) folded into it, the routing decision, the agent and what it replied."""

    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="turns")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="turns")
    # The newest message of the turn; unique so a redelivered task can never record a second turn for it.
    message = models.OneToOneField("conversations.Message", on_delete=models.PROTECT, related_name="agent_turn")
    message_ids = models.JSONField(default=list)
    text = models.TextField(blank=True)
    lane = models.CharField(max_length=16, blank=True, db_index=True)
    intent = models.CharField(max_length=32, blank=True, db_index=True)
    confidence = models.FloatField(default=0.0)
    source = models.CharField(max_length=8, choices=TurnSource.choices, default=TurnSource.NONE)
    agent = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=4, blank=True)
    reply = models.TextField(blank=True)
    reply_message_ids = models.JSONField(default=list)
    handoff_reason = models.CharField(max_length=32, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    decision = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("turn")
        verbose_name_plural = _("turns")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"turn {self.pk} {self.lane}/{self.intent}"


class FAQ(TimeStampedModel):
    """A frequently asked question. `answer` may use {hours}, {open_now} and {business_name}, filled from settings."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=120,
                             help_text=_("Short title, also used as a button in the fallback menu"))
    variants = models.JSONField(_("ways to ask"), default=list, help_text=_("Ways contacts ask it, one string each"))
    answer = models.TextField(_("answer"), help_text=_("Spanish answer"))
    answer_en = models.TextField(_("answer in English"), blank=True,
                                 help_text=_("English answer (blank: the Spanish one is used)"))
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQs")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.title
