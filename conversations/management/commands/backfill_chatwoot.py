"""manage.py backfill_chatwoot [--since YYYY-MM-DD] [--inbox ID] (CONTRACT section 4). Sends nothing."""

from __future__ import annotations

from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from conversations.ingest.backfill import (
    BackfillStats, backfill_conversation, conversation_messages, conversation_pages,
)
from conversations.ingest.parsing import to_datetime
from integrations.chatwoot.client import chatwoot_client
from integrations.chatwoot.errors import ChatwootError


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt_timezone.utc)
    except ValueError:
        raise CommandError(f"--since must be YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Import past Chatwoot conversations and messages (idempotent, resumable, sends nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=_date, help="only conversations active and messages sent since (UTC)")
        parser.add_argument("--inbox", type=int, help="only this Chatwoot inbox id")

    def handle(self, *args, since=None, inbox=None, **options):
        client, stats = chatwoot_client(), BackfillStats()
        account_id = settings.CHATWOOT_ACCOUNT_ID
        try:
            items = list(tqdm(conversation_pages(client, inbox_id=inbox), desc="listing", unit="conv",
                              file=self.stderr, disable=None))
        except ChatwootError as exc:
            raise CommandError(f"Chatwoot listing failed: {exc}") from exc
        # Oldest first: a contact's newer conversation then ends the older one, as live ingestion would.
        items.sort(key=lambda item: item["id"])
        for item in tqdm(items, desc="conversations", unit="conv", file=self.stderr, disable=None):
            self._one(client, account_id, item, since, stats)
        self.stdout.write(
            f"conversations: {stats.conversations_seen} seen, {stats.conversations_new} new; "
            f"messages: {stats.messages_new} new, {stats.messages_existing} already stored, "
            f"{stats.skipped_old} before --since; errors: {len(stats.errors)}")
        for error in stats.errors:
            self.stderr.write(error)
        if stats.errors:
            raise CommandError(f"{len(stats.errors)} conversations failed; run again to resume")

    def _one(self, client, account_id, item, since, stats) -> None:
        last_activity = to_datetime(item.get("last_activity_at")) or to_datetime(item.get("timestamp"))
        if since and last_activity and last_activity < since:
            return
        stats.conversations_seen += 1
        try:
            messages = conversation_messages(client, item["id"])
            backfill_conversation(account_id=account_id, item=item, messages=messages, since=since, stats=stats)
        except ChatwootError as exc:
            # No network call inside the write transaction: the fetch failed before anything was written.
            stats.errors.append(f"conversation {item['id']}: {exc}")
