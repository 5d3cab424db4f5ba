"""Data retention: redact or delete personal data older than the configured ages (docs/runbook.md, "Retention").

One rule per kind of data, in a table, so a new kind is one row. Each rule selects the rows past its age that still hold
data, then changes them in batches of `RETENTION_BATCH_SIZE`, one short transaction per batch, so a large backlog
never holds a long lock on a table the webhook is writing to. Rows are redacted rather than deleted wherever other
rows or counts depend on them (messages belong to transcripts and dashboards, deliveries keep their dedupe keys);
orders, order lines and every audit row are never touched. Running twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

REDACTED = "[redacted]"


@dataclass(frozen=True)
class RetentionRule:
    kind: str
    model: str  # app_label.ModelName
    age_setting: str  # key of settings.RETENTION_DAYS
    date_field: str
    still_holds_data: Q
    action: str  # "redact" or "delete"
    redaction: Callable[[], dict] = dict

    def installed(self, tables: set[str]) -> bool:
        """The model exists and is migrated (a rule for an app not yet migrated is skipped, not an error)."""
        try:
            return apps.get_model(self.model)._meta.db_table in tables
        except LookupError:
            return False

    @property
    def age_days(self) -> int:
        """Read when the rule runs (settings may change between runs, e.g. in tests)."""
        return settings.RETENTION_DAYS[self.age_setting]

    def candidates(self, now) -> QuerySet:
        cutoff = now - timedelta(days=self.age_days)
        queryset = apps.get_model(self.model).objects.filter(**{f"{self.date_field}__lt": cutoff})
        return queryset.filter(self.still_holds_data)


RETENTION_RULES = [
    RetentionRule(
        kind="messages",
        model="conversations.Message",
        age_setting="messages",
        date_field="created_at",
        still_holds_data=~Q(content=REDACTED) | ~Q(attachments=[]) | ~Q(quoted_text="") | ~Q(subject=""),
        action="redact",
        redaction=lambda: {"content": REDACTED, "attachments": [], "quoted_text": "", "subject": "",
                           "content_attributes": {}},
    ),
    # The agent's turn log copies the contact's words and the reply; the lane/intent/latency stay for the dashboard.
    RetentionRule(
        kind="turns",
        model="agents.Turn",
        age_setting="messages",
        date_field="created_at",
        still_holds_data=~Q(text="") | ~Q(reply=""),
        action="redact",
        redaction=lambda: {"text": "", "reply": ""},
    ),
    RetentionRule(
        kind="handoff_quotes",
        model="conversations.HandoffCase",
        age_setting="messages",
        date_field="created_at",
        # The summary retells the contact's request (it was posted to Chatwoot as a note); the reason stays.
        still_holds_data=~Q(contact_text="") | ~Q(summary=REDACTED),
        action="redact",
        redaction=lambda: {"contact_text": "", "summary": REDACTED},
    ),
    RetentionRule(
        kind="webhook_deliveries",
        model="conversations.WebhookDelivery",
        age_setting="webhooks",
        date_field="received_at",
        # A delivery still pending is unfinished work, not a log: it is kept until processed.
        still_holds_data=(~Q(body="") | ~Q(headers={})) & ~Q(outcome="pending"),
        action="redact",
        redaction=lambda: {"body": "", "headers": {}},
    ),
    RetentionRule(
        kind="duplicate_deliveries",
        model="conversations.DuplicateDelivery",
        age_setting="webhooks",
        date_field="received_at",
        still_holds_data=Q(),
        action="delete",
    ),
    RetentionRule(
        kind="llm_calls",
        model="integrations.ExternalCall",
        age_setting="llm_logs",
        date_field="created_at",
        still_holds_data=Q(system="llm"),
        action="delete",
    ),
    RetentionRule(
        kind="call_summaries",
        model="integrations.ExternalCall",
        age_setting="llm_logs",
        date_field="created_at",
        # Chatwoot, Odoo and Slack call rows stay for error rates; what was sent (message text) goes.
        still_holds_data=~Q(system="llm") & (~Q(request_summary="") | ~Q(response_summary="")),
        action="redact",
        redaction=lambda: {"request_summary": "", "response_summary": ""},
    ),
]


def installed_rules() -> list[RetentionRule]:
    tables = set(connection.introspection.table_names())
    return [rule for rule in RETENTION_RULES if rule.installed(tables)]


def retention_apply(*, dry_run: bool = False, now=None) -> dict[str, int]:
    """Apply every rule; returns rows changed (or, with `dry_run`, rows that would change) per kind."""
    now = now or timezone.now()
    counts = {}
    for rule in installed_rules():
        candidates = rule.candidates(now)
        counts[rule.kind] = candidates.count() if dry_run else _apply_in_batches(rule, candidates)
    if not dry_run:
        logger.info("retention applied", extra={"counts": counts})
    return counts


def _apply_in_batches(rule: RetentionRule, candidates: QuerySet) -> int:
    total, batch_size = 0, settings.RETENTION_BATCH_SIZE
    while True:
        ids = list(candidates.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        with transaction.atomic():
            batch = candidates.model.objects.filter(pk__in=ids)
            if rule.action == "delete":
                batch.delete()
            else:
                batch.update(**rule.redaction())
        total += len(ids)


def retention_task() -> dict[str, int]:
    """Daily schedule entry (see `core.schedules.SCHEDULES`); safe to run twice."""
    return retention_apply()
