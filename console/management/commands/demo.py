"""`manage.py demo` (`make demo`): a scripted Spanish order conversation, end to end, on the configured database;
`--model sale` plays a customer's quotation (sale.order) instead of a supplier's RFQ (purchase.order).

What runs for real: our web app (served in a thread on a free port), the signed webhook view, ingestion, the agent
turn (tasks inline: django-q2 forced to sync for this process), the Odoo client and the Chatwoot client. The
contact is played through the Chatwoot stand-in, which delivers real signed webhooks to our view and receives our
replies over its REST API; Odoo is the in-process stand-in unless `ODOO_URL` is configured. Prints the transcript
and the resulting order as Odoo holds it; exits non-zero if any step did not get the expected answer.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# The demo speaks Spanish, as the contact does: what each mode's order is called.
WORDS = {"purchase": ("proveedor", "solicitud de cotización", "Orden de compra"),
         "sale": ("cliente", "cotización", "Pedido de venta")}

# A new customer each run: the Chatwoot stand-in remembers earlier runs' contacts, but the Odoo stand-in starts
# empty, so a returning contact's Odoo partner would be gone.
CONTACT = {"name": "Almacén Las Lilas", "phone_number": f"+5698{secrets.randbelow(10 ** 7):07d}"}
# (what the contact writes, words the bot's answer must contain), per order mode: a supplier's RFQ, or a
# customer's quotation (only products Odoo sells: the bulk coconut oil is bought, never sold).
SCRIPTS = {
    "purchase": [
        ("Hola", "Hola"),
        ("Necesito 100kg aceite de coco y 20 kilos de almendras", "Cotización"),
        ("mejor que sean 150 kg de aceite", "actualizada"),
        ("agrega 3 cajas de leche de almendra", "Leche de almendra"),
        ("sí, confirmo", "Tu pedido"),
    ],
    "sale": [
        ("Hola", "Hola"),
        ("Necesito 20 kilos de almendras y 10 kg de quinoa", "Cotización"),
        ("mejor que sean 30 kg de almendras", "actualizada"),
        ("agrega 3 cajas de leche de almendra", "Leche de almendra"),
        ("sí, confirmo", "Tu pedido"),
    ],
}
REPLY_WAIT_SECONDS = 15.0


@dataclass
class Stage:
    chatwoot: object
    odoo: object | None
    server: object
    conversation_id: int | None = None
    seen: int = 0


class Command(BaseCommand):
    help = ("Play a scripted order conversation end to end and print the transcript and the order as Odoo holds it "
            "(a purchase order, or with --model sale a sales order).")

    def add_arguments(self, parser):
        parser.add_argument("--model", choices=sorted(SCRIPTS), default=None,
                            help="ODOO_ORDER_MODEL for this run: purchase (RFQs to a supplier) or sale (quotations "
                                 "to a customer); default: the setting")

    def handle(self, *args, **options):
        logging.disable(logging.INFO)  # the transcript is the output; the queue's per-task log lines are noise
        settings.ODOO_ORDER_MODEL = options["model"] or settings.ODOO_ORDER_MODEL
        _force_inline_tasks()
        stage = self._set_stage()
        try:
            self._play(stage)
        finally:
            _tear_down(stage)

    # --- set-up ------------------------------------------------------------------------------------------------
    def _set_stage(self) -> Stage:
        from integrations.odoo import client as odoo_client
        from orders.catalog_sync import catalog_sync

        state = settings.STANDIN_STATE_DIR / "odoo.json" if settings.STANDIN_STATE_DIR else None
        odoo = _start_odoo_standin(state_file=state) if settings.ODOO_USES_STANDIN else None
        odoo_client.reset()
        server, base_url = _serve_app()
        chatwoot = _start_chatwoot_standin(f"{base_url}/webhooks/chatwoot/")
        settings.AGENT_BURST_WINDOW = 0.0  # one scripted message per turn; nobody is typing a burst
        summary = catalog_sync()
        where = "Odoo stand-in" if odoo else settings.ODOO_URL
        self.stdout.write(f"App on {base_url}; Chatwoot stand-in on {chatwoot.url}; Odoo: {where}")
        self.stdout.write(f"Catálogo sincronizado: {summary}\n")
        return Stage(chatwoot=chatwoot, odoo=odoo, server=server)

    # --- the conversation --------------------------------------------------------------------------------------
    def _play(self, stage: Stage) -> None:
        partner, quotation, _order = WORDS[settings.ODOO_ORDER_MODEL]
        self.stdout.write(f"=== Conversación ({partner}, {quotation}) ===")
        for text, expected in SCRIPTS[settings.ODOO_ORDER_MODEL]:
            replies = self._say(stage, text)
            if not any(expected.lower() in r["content"].lower() for r in replies):
                raise CommandError(f"step {text!r}: expected an answer with {expected!r}, got "
                                   f"{[r['content'] for r in replies]!r}")
        order = self._approve_if_needed(stage)
        self._print_order(order)

    def _say(self, stage: Stage, text: str) -> list[dict]:
        self.stdout.write(f"Cliente: {text}")
        ids = stage.chatwoot.inbound(content=text, contact=CONTACT, conversation_id=stage.conversation_id)
        stage.conversation_id = ids["conversation_id"]
        replies = self._replies(stage)
        for reply in replies:
            self._print_bot(reply)
        return replies

    def _replies(self, stage: Stage) -> list[dict]:
        deadline = time.monotonic() + REPLY_WAIT_SECONDS
        while time.monotonic() < deadline:
            public = [m for m in stage.chatwoot.bot_messages(stage.conversation_id) if not m.get("private")]
            if len(public) > stage.seen:
                time.sleep(0.2)  # a turn may post two messages (a note, then the quote)
                public = [m for m in stage.chatwoot.bot_messages(stage.conversation_id) if not m.get("private")]
                new, stage.seen = public[stage.seen:], len(public)
                return new
            time.sleep(0.05)
        raise CommandError(f"no answer within {REPLY_WAIT_SECONDS:.0f} s")

    def _print_bot(self, message: dict) -> None:
        lines = (message.get("content") or "").splitlines() or [""]
        self.stdout.write(f"Bot:     {lines[0]}")
        for line in lines[1:]:
            self.stdout.write(f"         {line}")
        items = (message.get("content_attributes") or {}).get("items") or []
        if items:
            self.stdout.write("         " + " ".join(f"[{i['title']}]" for i in items))

    # --- staff -------------------------------------------------------------------------------------------------
    def _approve_if_needed(self, stage: Stage):
        from orders.models import OrderState, PurchaseOrder
        from orders.services import purchase_order_approve

        order = PurchaseOrder.objects.filter(conversation__chatwoot_id=stage.conversation_id).order_by("-pk").first()
        if order is None:
            raise CommandError("no purchase order was created")
        if order.state == OrderState.TO_APPROVE:
            self.stdout.write("\n=== Aprobación (staff, mismo servicio que el admin) ===")
            outcome = purchase_order_approve(order_id=order.pk, user=_approver())
            self.stdout.write(f"{order.display_name}: {outcome.outcome}")
            for reply in self._replies(stage):
                self._print_bot(reply)
            order.refresh_from_db()
        if order.state != OrderState.CONFIRMED:
            raise CommandError(f"order {order.display_name} ended '{order.state}', expected confirmed")
        return order

    def _print_order(self, order) -> None:
        from integrations.odoo import gateway
        from orders.services.common import clp

        odoo = gateway.orders_for(settings.ODOO_ORDER_MODEL).read(order.odoo_id)  # with its lines
        self.stdout.write(f"\n=== {WORDS[settings.ODOO_ORDER_MODEL][2]} en Odoo ({odoo.model}) ===")
        self.stdout.write(f"{odoo.name}  estado Odoo: {odoo.state}  (local: {order.state})")
        for line in odoo.lines:
            self.stdout.write(f"  {float(line.quantity):g} × {line.product_name} @ {clp(line.unit_price)} = "
                              f"{clp(line.subtotal)}")
        self.stdout.write(f"  Neto {clp(odoo.amount_untaxed)}  Total {clp(odoo.amount_total)}")
        if order.expected_at:
            self.stdout.write(f"  Llega: {order.expected_at:%Y-%m-%d}")
        self.stdout.write(self.style.SUCCESS("Demo OK"))


def _force_inline_tasks() -> None:
    """Run every queued task in this process, at once (django-q2 reads `sync` into `Conf` at import)."""
    from django_q.conf import Conf

    settings.Q_CLUSTER["sync"] = True
    Conf.SYNC = True


def _start_odoo_standin(state_file=None):
    """The in-process stand-in, sharing `make run`'s state file when given; None when `make run`'s stand-in holds
    that file: the demo then talks to that one (at ODOO_URL), which has the same orders."""
    from integrations.odoo.standin import OdooStandin, StateFileInUse

    from django.db.models import Max

    from orders.models import PurchaseOrder

    try:
        standin = OdooStandin(state_file=state_file)
    except StateFileInUse:
        return None
    # The database may hold orders the stand-in never saw (an older run, a deleted state file): Odoo ids are unique,
    # so continue the numbering after them, as a real Odoo would.
    last = PurchaseOrder.objects.aggregate(last=Max("odoo_id"))["last"] or 0
    standin.state.reserve_order_ids(after=last)
    standin.start()
    settings.ODOO_URL, settings.ODOO_DB = standin.url, "standin"
    settings.ODOO_USERNAME, settings.ODOO_PASSWORD = "admin", "admin"
    return standin


def _start_chatwoot_standin(webhook_url: str):
    """Always the stand-in: the demo plays the contact, which a real Chatwoot cannot do for us."""
    from conversations.management.commands.chatwoot_standin import project_standin

    secret = (settings.CHATWOOT_WEBHOOK_SECRETS or [""])[0] or secrets.token_hex(16)
    settings.CHATWOOT_WEBHOOK_SECRETS = [secret]
    token = settings.CHATWOOT_API_TOKEN or "demo-token"
    # The same state file as `make run`'s stand-in: the database keeps earlier runs, and a reused Chatwoot id is
    # a duplicate to our webhook dedupe.
    standin = project_standin(token=token, webhook_url=webhook_url, secret=secret)
    standin.start()
    settings.CHATWOOT_BASE_URL, settings.CHATWOOT_API_TOKEN = standin.url, token
    return standin


def _serve_app():
    """Our WSGI app on a free port, in a thread (so the stand-in's webhooks hit the real view)."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}"


def _approver():
    from django.contrib.auth.models import Group, Permission, User

    user, _ = User.objects.get_or_create(username="demo-aprobador", defaults={"is_staff": True})
    group, _ = Group.objects.get_or_create(name="Approvers")
    group.permissions.add(Permission.objects.get(content_type__app_label="orders", codename="approve_purchaseorder"))
    user.groups.add(group)
    return User.objects.get(pk=user.pk)  # fresh permission cache


def _tear_down(stage: Stage) -> None:
    stage.chatwoot.stop()
    if stage.odoo is not None:
        stage.odoo.close()
    stage.server.shutdown()
    stage.server.server_close()
