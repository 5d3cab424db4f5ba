"""Serve the Odoo stand-in on 127.0.0.1 (used by `make run`): `manage.py odoo_standin --port 8069 --version 17`."""

from django.conf import settings
from django.core.management.base import BaseCommand

from integrations.odoo.standin import OdooStandin


class Command(BaseCommand):
    help = "Run a local Odoo stand-in (XML-RPC, JSON-RPC, JSON-2) seeded with a demo catalog."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version 17|18|19` is the documented flag; Django's own `--version` (print Django's) yields to it.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.ODOO_STANDIN_PORT)
        parser.add_argument("--version", "--odoo-version", dest="odoo_version", type=int, choices=[17, 18, 19], default=17)
        parser.add_argument("--approval-amount", type=float, default=None,
                            help="Turn on Odoo's own two-step approval above this total")
        parser.add_argument("--latency", type=float, default=0.0, help="Seconds added to every model call")

    def handle(self, *args, **opts):
        standin = OdooStandin(version=opts["odoo_version"], port=opts["port"])
        standin.state.users[settings.ODOO_USERNAME] = (settings.ODOO_PASSWORD, 2)
        if opts["approval_amount"] is not None:
            standin.state.set_double_validation(amount=opts["approval_amount"])
        standin.latency = opts["latency"]
        standin.start()
        self.stdout.write(f"Odoo {opts['odoo_version']} stand-in on {standin.url} (db {settings.ODOO_DB}, "
                          f"login {settings.ODOO_USERNAME}); Ctrl-C stops it.")
        self.stdout.flush()
        try:
            standin._thread.join()
        except KeyboardInterrupt:
            standin.stop()
