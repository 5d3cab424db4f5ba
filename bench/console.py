"""Console render benchmark: the staff console's pages on the dashboard benchmark's database (~100,000 messages,
2,000 conversations, their turns, handoffs, orders and events over 40 days; see bench/dashboard.py), with a few
conversations waiting for a person and orders waiting for approval added, rendered through the Django test client
as an approver of the "Atención" group (the page staff use) and as a superuser for the index.

    .venv/bin/python bench/console.py [--messages 100000] [--renders 20] [--reseed]

DATABASE_URL defaults to the dashboard benchmark's scratch database (created, migrated and seeded once). Prints,
per page, the number of queries of one render and p50/p95/max over the renders.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the dashboard benchmark beside this file

from dashboard import (  # noqa: E402 - found through the path set just above
    DEFAULT_DB, ensure_database, seed_if_needed, setup_django, staff_client, summary, time_page,
)

WAITING = 20  # conversations handed to a person, and orders waiting for approval, on top of the seeded history


def add_waiting_work() -> None:
    """Idempotent: the newest WAITING conversations wait for a person; as many orders wait for approval."""
    from django.utils import timezone

    from conversations.models import Conversation, HandoffCase
    from orders.models import PurchaseOrder

    if Conversation.objects.filter(mode="human").count() >= WAITING:
        return
    now = timezone.now()
    conversations = list(Conversation.objects.order_by("-pk")[:WAITING])
    for n, conversation in enumerate(conversations):
        Conversation.objects.filter(pk=conversation.pk).update(
            mode="human", handoff_reason="human_request", handoff_at=now - timedelta(minutes=5 * n + 1))
        HandoffCase.objects.create(conversation=conversation, reason="human_request", actor="bot",
                                   summary="bench", contact_text="quiero hablar con alguien")
    orders = PurchaseOrder.objects.filter(conversation__in=conversations).values_list("pk", flat=True)
    PurchaseOrder.objects.filter(pk__in=list(orders)).update(state="to_approve", approved_by=None, rejected_by=None,
                                                             decided_at=None)


def staff_of_the_console():
    """A staff member in the console's groups (not a superuser), logged in on a test client."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    # The seeding flushes the tables, taking the groups the data migrations made with them: make them again.
    from django.apps import apps

    import_module("console.migrations.0001_staff_group").create_group(apps, None)
    import_module("orders.migrations.0003_approvers_group").create_approvers(apps, None)
    user, _ = get_user_model().objects.get_or_create(username="bench-agente", defaults={"is_staff": True})
    user.groups.add(*Group.objects.filter(name__in=["Atención", "Approvers"]))
    client = Client()
    client.force_login(user)
    return client


def pages() -> list[tuple[str, str, bytes]]:
    from conversations.models import Conversation
    from orders.models import PurchaseOrder

    conversation = Conversation.objects.filter(mode="human").order_by("handoff_at").first()
    order = PurchaseOrder.objects.filter(state="to_approve").order_by("pk").first()
    return [
        ("index", "/admin/", b"console-today"),
        ("conversation list", "/admin/conversations/conversation/", b"result_list"),
        ("conversation list, waiting", "/admin/conversations/conversation/?inbox=waiting", b"result_list"),
        ("conversation page", f"/admin/conversations/conversation/{conversation.pk}/change/", b'id="inbox-thread"'),
        ("conversation poll, new", f"/admin/conversations/conversation/{conversation.pk}/thread/", b'"thread"'),
        ("order list", "/admin/orders/purchaseorder/", b"result_list"),
        ("order page", f"/admin/orders/purchaseorder/{order.pk}/change/", b'id="order-lines"'),
        ("dashboard 24 h", "/admin/dashboard/?period=24h", b'id="fig-turns"'),
        ("dashboard 7 d", "/admin/dashboard/?period=7d", b'id="fig-turns"'),
        ("dashboard 30 d", "/admin/dashboard/?period=30d", b'id="fig-turns"'),
    ]


def unchanged_poll_url(client) -> str:
    """The poll as an open page sends it most of the time: with the fingerprint it already holds."""
    from conversations.models import Conversation

    conversation = Conversation.objects.filter(mode="human").order_by("handoff_at").first()
    url = f"/admin/conversations/conversation/{conversation.pk}/thread/"
    fingerprint = client.get(url).json()["fingerprint"]
    return f"{url}?v={fingerprint}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    db_url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    ensure_database(db_url)
    setup_django(db_url)
    seed_if_needed(args.messages, args.reseed)
    add_waiting_work()
    from conversations.models import Message

    print(f"{Message.objects.count()} messages")
    staff = staff_of_the_console()
    for name, url, marker in pages():
        times = time_page(staff, url, args.renders, marker=marker)
        print(f"{name:28} {summary(times)}")
    unchanged = unchanged_poll_url(staff)
    times = time_page(staff, unchanged, args.renders, marker=b"", status=204)
    print(f"{'conversation poll, nothing':28} {summary(times)}")
    times = time_page(staff_client(), "/admin/", args.renders, marker=b"console-today")
    print(f"{'index (superuser)':28} {summary(times)}")


if __name__ == "__main__":
    main()
