"""The order negotiation end to end: the Chatwoot stand-in signs real webhooks, our real view ingests them
(Django test client), django-q2 runs every task inline (sync), the agent talks to the Odoo stand-in (17 over
XML-RPC by default; `make_shop` picks the version, protocol and order mode), and replies go back through our
real Chatwoot client to the stand-in.

Deliveries (including the echoes of our own replies) are queued by the stand-in and posted from the test thread,
one at a time: one writer at a time, so the suite also runs on SQLite."""

from __future__ import annotations

import functools
import json
from collections import deque
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from orders.catalog_sync import catalog_sync
from tests.fakes.chatwoot import chatwoot_standin  # noqa: F401
from tests.fakes.odoo import make_odoo_standin  # noqa: F401

SECRET = "purchase-e2e-secret"
WEBHOOK = "/webhooks/chatwoot/"


MODELS = {"purchase": ("purchase.order", "purchase.order.line", "product_qty"),
          "sale": ("sale.order", "sale.order.line", "product_uom_qty")}


class Shop:
    """A contact talking to the bot through Chatwoot, and what each side ends up holding."""

    def __init__(self, client, chatwoot, odoo, mode: str = "purchase"):
        self.client, self.chatwoot, self.odoo, self.mode = client, chatwoot, odoo, mode
        self.model, self.line_model, self.qty_field = MODELS[mode]
        self.deliveries: deque = deque()
        # (the bot's message as Chatwoot echoed it, how many Odoo calls had been made when it was posted)
        self.posted_at_call: list[tuple[str, int]] = []
        chatwoot.webhook_sink = self._sink
        self.statuses: list[int] = []

    def _sink(self, payload: dict, headers: dict) -> None:
        if payload.get("event") == "message_created" and payload.get("message_type") == "outgoing":
            self.posted_at_call.append((payload.get("content") or "", len(self.odoo.state.calls)))
        self.deliveries.append((payload, headers))

    def contact(self, name="Almacén Las Lilas", phone="+56987654321") -> "Conversation":
        return Conversation(self, {"name": name, "phone_number": phone})

    def drain(self) -> None:
        while self.deliveries:
            payload, headers = self.deliveries.popleft()
            body = json.dumps(payload, separators=(",", ":")).encode()  # the bytes the stand-in signed
            extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                     if k.lower().startswith("x-chatwoot")}
            response = self.client.post(WEBHOOK, data=body, content_type="application/json", **extra)
            self.statuses.append(response.status_code)
            assert response.status_code == 200, response.content

    def odoo_orders(self) -> list[dict]:
        return list(self.odoo.state.tables[self.model].values())

    def odoo_lines(self, order: dict) -> list[tuple[str, float]]:
        return [(code, qty) for code, qty, _price in self.odoo_priced_lines(order)]

    def odoo_priced_lines(self, order: dict) -> list[tuple[str, float, float]]:
        """(product code, quantity, Odoo's unit price) of each line of the order, as Odoo holds them."""
        lines = self.odoo.state.tables[self.line_model]
        products = self.odoo.state.tables["product.product"]
        rows = [line for line in lines.values() if _id(line["order_id"]) == order["id"]]
        return sorted((products[_id(r["product_id"])]["default_code"], r[self.qty_field], r["price_unit"])
                      for r in rows)

    def odoo_calls(self) -> int:
        return len(self.odoo.state.calls)


def _id(value):
    return value[0] if isinstance(value, (list, tuple)) else value


class Conversation:
    def __init__(self, shop: Shop, contact: dict):
        self.shop, self.contact, self.id = shop, contact, None
        self.seen = 0

    def says(self, text: str) -> list[dict]:
        """The contact writes; returns the public messages the bot posted back (as Chatwoot holds them)."""
        ids = self.shop.chatwoot.inbound(content=text, contact=self.contact, conversation_id=self.id)
        self.id = ids["conversation_id"]
        self.shop.drain()
        return self.new_messages()

    def new_messages(self) -> list[dict]:
        self.shop.drain()
        messages = self.messages()
        new, self.seen = messages[self.seen:], len(messages)
        return new

    def messages(self) -> list[dict]:
        return [m for m in self.shop.chatwoot.sent if m["conversation_id"] == self.id and not m["private"]]

    def texts(self, text: str) -> list[str]:
        return [m["content"] for m in self.says(text)]


def buttons(message: dict) -> list[str]:
    return [i["title"] for i in (message.get("content_attributes") or {}).get("items", [])]


def open_shop(chatwoot, make_odoo_standin, client, settings, *, version: int = 17, protocol: str = "xmlrpc",
              mode: str = "purchase") -> Shop:
    odoo = make_odoo_standin(version=version, protocol=protocol, mode=mode)
    settings.CHATWOOT_WEBHOOK_SECRETS = [SECRET]
    settings.AGENT_BURST_WINDOW = 0.0
    settings.AGENT_TURN_BACKOFF = 0.001
    settings.OPENAI_API_KEY = ""
    settings.SLACK_WEBHOOK_URL = ""
    settings.ORDER_APPROVAL_THRESHOLD = 0
    chatwoot.secret = SECRET
    import_module("agents.migrations.0002_seed_faqs").seed(django_apps, None)
    catalog_sync()
    return Shop(client, chatwoot, odoo, mode)


@pytest.fixture
def make_shop(chatwoot_standin, make_odoo_standin, client, settings, transactional_db):
    """`make_shop(version=, protocol=, mode=)`: a shop on Odoo `version` over `protocol`, taking orders as `mode`
    (purchase.order or sale.order)."""
    return functools.partial(open_shop, chatwoot_standin, make_odoo_standin, client, settings)


@pytest.fixture
def shop(chatwoot_standin, make_odoo_standin, client, settings, transactional_db):
    """Odoo 17 over XML-RPC, purchase mode."""
    return open_shop(chatwoot_standin, make_odoo_standin, client, settings)


APPROVER_PASSWORD = "pw-aprobador-e2e"


@pytest.fixture
def approver(django_user_model):
    """A staff member in the Approvers group (re-created here: transactional tests flush data migrations' rows)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Approvers")
    group.permissions.add(*Permission.objects.filter(
        content_type__app_label="orders", codename__in=["approve_purchaseorder", "view_purchaseorder"]))
    user = django_user_model.objects.create_user("aprobador", password=APPROVER_PASSWORD, is_staff=True)
    user.groups.add(group)
    return user


def admin_login(client, user) -> None:
    response = client.post("/admin/login/?next=/admin/", {"username": user.username, "password": APPROVER_PASSWORD,
                                                          "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/", response.content[:500]
    client.cookies["django_language"] = "en"  # these tests read the console's reports in English


def admin_decide(client, order_id: int, action: str, *, reason: str = "") -> str:
    """Post the changelist action, check the confirmation page, confirm; returns the message staff see."""
    changelist = "/admin/orders/purchaseorder/"
    page = client.post(changelist, {"action": action, "_selected_action": [order_id]})
    assert page.status_code == 200 and b"Yes, " in page.content, page.content[:800]
    data = {"action": action, "_selected_action": [order_id], "confirm": "yes"}
    if reason:
        data["reason"] = reason
    done = client.post(changelist, data, follow=True)
    assert done.status_code == 200
    return " ".join(str(m) for m in done.context["messages"])
