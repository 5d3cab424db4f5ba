"""Serve the Odoo stand-in on 127.0.0.1 (used by `make run`): `manage.py odoo_standin --port 8069 --version 17`.

Its records and sequences live in `<STANDIN_STATE_DIR>/odoo.json` (`--state-file`), so a restart carries on with
the same orders and numbering; `--no-state` keeps everything in memory. Faults, deliveries and receipts can be
driven over HTTP: `POST /standin/faults` and friends (integrations/odoo/standin/control.py).
"""

import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.odoo.standin import OdooStandin, StateFileError
from integrations.odoo.standin.schema import APPS


class Command(BaseCommand):
    help = "Run a local Odoo stand-in (XML-RPC, JSON-RPC, JSON-2) seeded with a demo catalog."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version 17|18|19` is the documented flag; Django's own `--version` (print Django's) yields to it.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.ODOO_STANDIN_PORT)
        parser.add_argument("--version", "--odoo-version", dest="odoo_version", type=int, choices=[17, 18, 19], default=17)
        state = settings.STANDIN_STATE_DIR / "odoo.json" if settings.STANDIN_STATE_DIR else ""
        parser.add_argument("--state-file", default=str(state),
                            help="JSON file holding the stand-in's records and sequences across restarts")
        parser.add_argument("--no-state", action="store_true", help="Keep everything in memory (lost on exit)")
        parser.add_argument("--order-ids-after", type=int, default=0,
                            help="Number new orders above this id (ids our database already holds)")
        parser.add_argument("--without-app", action="append", choices=sorted(APPS), default=[],
                            help="A database without this app (its models do not exist)")
        parser.add_argument("--approval-amount", type=float, default=None,
                            help="Turn on Odoo's own two-step approval above this total")
        parser.add_argument("--latency", type=float, default=0.0, help="Seconds added to every model call")

    def handle(self, *args, **opts):
        standin = self._open(opts)
        standin.state.users[settings.ODOO_USERNAME] = (settings.ODOO_PASSWORD, 2)  # uid 2: the integration user
        standin.state.changed()
        if opts["approval_amount"] is not None:
            standin.state.set_double_validation(amount=opts["approval_amount"])
        standin.state.reserve_order_ids(after=opts["order_ids_after"])
        standin.latency = opts["latency"]
        standin.start()
        where = f"state in {opts['state_file']}" if opts["state_file"] and not opts["no_state"] else "in memory"
        self.stdout.write(f"Odoo {opts['odoo_version']} stand-in on {standin.url} (db {settings.ODOO_DB}, "
                          f"login {settings.ODOO_USERNAME}, {where}); Ctrl-C stops it.")
        self.stdout.flush()
        try:
            # Not the serving thread's join: a `down` fault stops that thread and starts another when it is over.
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            standin.close()

    def _open(self, opts) -> OdooStandin:
        try:
            return OdooStandin(version=opts["odoo_version"], port=opts["port"],
                               state_file=None if opts["no_state"] else (opts["state_file"] or None),
                               apps=APPS - set(opts["without_app"]))
        except StateFileError as exc:
            raise CommandError(str(exc)) from exc
