"""Dashboard render benchmark: ~100,000 messages (and proportional turns, handoffs, orders, order events, webhook
deliveries and external calls spread over 40 days) in a scratch PostgreSQL database, then N renders of
/admin/dashboard/?period=… through the Django test client logged in as staff.

    .venv/bin/python bench/dashboard.py [--messages 100000] [--renders 30] [--reseed]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_dashboard (created and migrated first; seeded
once, reused by later runs unless --reseed). Prints the seeded volumes, the queries of one render with their
times, and p50/p95/max render time of each period (24 h, 7 d, 30 d). Target: under 300 ms with 100,000 messages.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_dashboard"
MESSAGES_PER_CONVERSATION = 50
SPAN = timedelta(days=40)
LANES = [("info", "greeting", 12), ("info", "faq", 18), ("info", "thanks", 6), ("info", "other", 4),
         ("purchase", "catalog_query", 10), ("purchase", "order_create", 14), ("purchase", "order_modify", 8),
         ("purchase", "order_confirm", 8), ("purchase", "order_cancel", 2), ("purchase", "order_status", 6),
         ("support", "complaint", 3), ("support", "human_handoff", 3)]
HANDOFF_REASONS = ["human_request", "complaint", "failure", "window_closed", "order_attention"]


def setup_django(db_url: str) -> None:
    # Production settings (DEBUG off) but plain HTTP: the test client is not behind the TLS proxy.
    os.environ.update(DATABASE_URL=db_url, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0",
                      SECRET_KEY="bench-only-secret-key", ALLOWED_HOSTS="testserver", LOG_LEVEL="WARNING",
                      SECURE_SSL_REDIRECT="0")
    os.environ.pop("PYTEST_VERSION", None)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def ensure_database(db_url: str) -> None:
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


@contextlib.contextmanager
def explicit_timestamps(*models):
    """Let bulk_create keep the `created_at` we set (auto_now_add would overwrite it with now)."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


class Seeder:
    def __init__(self, messages: int, seed: int = 5):
        from django.utils import timezone

        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.conversations = max(1, messages // MESSAGES_PER_CONVERSATION)
        self.counts: dict[str, int] = {}

    def when(self):
        return self.now - SPAN * self.rng.random()

    def run(self) -> dict[str, int]:
        from agents.models import Turn
        from conversations.models import HandoffCase, Message, WebhookDelivery
        from integrations.models import ExternalCall
        from orders.models import PurchaseOrderEvent

        with explicit_timestamps(Message, Turn, HandoffCase, PurchaseOrderEvent, WebhookDelivery, ExternalCall):
            staff = self.staff()
            for first in range(0, self.conversations, 100):
                self.batch(range(first, min(first + 100, self.conversations)), staff)
                print(f"  seeded {min(first + 100, self.conversations)}/{self.conversations} conversations",
                      end="\r", flush=True)
        print()
        return self.counts

    def staff(self):
        from django.contrib.auth import get_user_model

        user, _ = get_user_model().objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
        return user

    def add(self, model, rows):
        model.objects.bulk_create(rows, batch_size=2000)
        self.counts[model.__name__] = self.counts.get(model.__name__, 0) + len(rows)
        return rows

    def batch(self, numbers, staff) -> None:
        from conversations.models import Contact, Conversation

        contacts = self.add(Contact, [Contact(account_id=1, chatwoot_id=n + 1, name=f"Cliente {n}",
                                              phone_e164=f"+569{n:08d}") for n in numbers])
        convs = self.add(Conversation, [Conversation(account_id=1, chatwoot_id=c.chatwoot_id, channel="whatsapp",
                                                     contact=c) for c in contacts])
        for conv in convs:
            self.conversation_history(conv, staff)

    def conversation_history(self, conv, staff) -> None:
        start = self.when()
        messages = self.messages(conv, start)
        turns = self.turns(conv, messages)
        self.handoffs(conv, turns, messages)
        self.orders(conv, start, staff)
        self.deliveries(messages)

    def messages(self, conv, start):
        from conversations.models import Direction, Message, MessageOrigin, MessageStatus, SenderKind

        rows = []
        for i in range(MESSAGES_PER_CONVERSATION):
            inbound = i % 2 == 0
            status = MessageStatus.RECEIVED if inbound else self.rng.choices(
                [MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.FAILED],
                [30, 40, 29, 1])[0]
            rows.append(Message(
                conversation=conv, chatwoot_id=conv.chatwoot_id * 1000 + i if inbound else None,
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                origin=MessageOrigin.CHATWOOT if inbound else MessageOrigin.BOT,
                sender_kind=SenderKind.CONTACT if inbound else SenderKind.AGENT_BOT,
                content="Hola, necesito 10 kg de almendras" if inbound else "Cotización creada…",
                status=status, created_at=start + timedelta(minutes=3 * i)))
        return self.add(Message, rows)

    def turns(self, conv, messages):
        from agents.models import Turn

        rows = []
        for message in messages[::2]:
            lane, intent, _ = self.rng.choices(LANES, [w for *_, w in LANES])[0]
            handoff = self.rng.choice(HANDOFF_REASONS) if self.rng.random() < 0.03 else ""
            rows.append(Turn(conversation=conv, message=message, lane=lane, intent=intent,
                             confidence=round(self.rng.uniform(0.5, 1.0), 2),
                             source="llm" if self.rng.random() < 0.3 else "rules", handoff_reason=handoff,
                             created_at=message.created_at + timedelta(seconds=2)))
        return self.add(Turn, rows)

    def handoffs(self, conv, turns, messages) -> None:
        from conversations.models import HandoffCase, Message, SenderKind

        cases = [HandoffCase(conversation=conv, turn_id=t.pk, reason=t.handoff_reason, actor="bot", summary="…",
                             created_at=t.created_at) for t in turns if t.handoff_reason]
        self.add(HandoffCase, cases)
        # Every other handoff gets a human reply: the next outbound message becomes a staff one.
        answered = [next((m.pk for m in messages if m.direction == "outbound" and m.created_at > case.created_at),
                         None) for case in cases[::2]]
        Message.objects.filter(pk__in=[pk for pk in answered if pk]).update(sender_kind=SenderKind.USER)

    def orders(self, conv, start, staff) -> None:
        from integrations.models import ExternalCall
        from orders.models import PurchaseOrder, PurchaseOrderEvent

        final = self.rng.choice(["confirmed", "cancelled", "received"])
        needs_approval = self.rng.random() < 0.5
        order = self.add(PurchaseOrder, [PurchaseOrder(
            contact=conv.contact, conversation=conv, state=final, idempotency_key=f"bench-{conv.pk}",
            origin=f"bench {conv.pk}", approved_by=staff if needs_approval and final != "cancelled" else None,
            rejected_by=staff if needs_approval and final == "cancelled" else None,
            decided_at=start + timedelta(hours=2) if needs_approval else None)])[0]
        moves = [("draft", "sent", 10)] + ([("sent", "to_approve", 20)] if needs_approval else []) + \
            [("to_approve" if needs_approval else "sent", "cancelled" if final == "cancelled" else "confirmed", 120)]
        self.add(PurchaseOrderEvent, [PurchaseOrderEvent(
            order=order, actor="agent", kind=kind, before=b, after=a, created_at=start + timedelta(minutes=m))
            for b, a, m in moves for kind in ("transition", "odoo_pushed")])
        self.add(ExternalCall, [ExternalCall(
            system=system, method=method, outcome="error" if self.rng.random() < 0.03 else "ok",
            created_at=start + timedelta(minutes=5 * i))
            for i, (system, method) in enumerate([("odoo", "create"), ("odoo", "write"), ("odoo", "read"),
                                                  ("llm", "route"), ("chatwoot", "send_message")])])

    def deliveries(self, messages) -> None:
        from conversations.models import WebhookDelivery

        self.add(WebhookDelivery, [WebhookDelivery(
            delivery_id=f"d-{m.pk}", dedupe_key=f"message_created:1:{m.pk}", event="message_created",
            account_id=1, body="{}", outcome="processed", received_at=m.created_at) for m in messages])


def seed_if_needed(messages: int, reseed: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from conversations.models import Message

    call_command("migrate", verbosity=0)
    if reseed or Message.objects.count() < messages * 0.95:
        call_command("flush", interactive=False, verbosity=0)
        started = time.monotonic()
        counts = Seeder(messages).run()
        print(f"seeded in {time.monotonic() - started:.0f} s: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        with connection.cursor() as cursor:
            # Planner statistics and the visibility map (index-only scans), as autovacuum would leave them.
            cursor.execute("VACUUM ANALYZE")
    else:
        print(f"reusing the seeded database ({Message.objects.count()} messages; --reseed to start over)")


def staff_client():
    """A logged-in superuser (the dashboard's largest page: it adds the integration's health)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    staff, _ = get_user_model().objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
    if not (staff.is_staff and staff.is_superuser):
        get_user_model().objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client


def time_page(client, url: str, renders: int, *, marker: bytes, show_queries: bool = False,
              status: int = 200) -> list[float]:
    """Warm up, check the page, optionally print one render's queries, then time `renders` renders (ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm-up: imports, template compilation, connection, PostgreSQL buffers
        assert client.get(url).status_code == status, url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == status and marker in response.content, url
    if show_queries:
        print(f"{url}: one render, {len(captured.captured_queries)} queries")
        for query in captured.captured_queries:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:110]}")
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def summary(times: list[float]) -> str:
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return f"p50 {statistics.median(times):6.1f} ms, p95 {p95:6.1f} ms, max {times[-1]:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    db_url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    ensure_database(db_url)
    setup_django(db_url)
    seed_if_needed(args.messages, args.reseed)
    client = staff_client()
    for period in ("24h", "7d", "30d"):
        times = time_page(client, f"/admin/dashboard/?period={period}", args.renders, marker=b'id="fig-turns"',
                          show_queries=period == "30d")
        print(f"dashboard {period:>3} over {len(times)} requests: {summary(times)} (target < 300 ms)")


if __name__ == "__main__":
    main()
