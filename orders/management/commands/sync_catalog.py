"""`manage.py sync_catalog`: pull the products of the order mode from Odoo into the local catalog (CONTRACT §4):
purchasable ones with vendor prices (`ODOO_ORDER_MODEL=purchase`), or sellable ones with sales prices (`sale`)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from integrations.odoo.diagnose import explain
from integrations.odoo.errors import OdooError
from orders.catalog_sync import catalog_sync


class Command(BaseCommand):
    help = ("Pull products (code, name, unit, price, stock on hand) from Odoo: purchasable ones with vendor prices, "
            "or sellable ones with sales prices when ODOO_ORDER_MODEL=sale. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, CI)")

    def handle(self, *args, **opts):
        def progress(rows):
            return tqdm(rows, desc="Products", unit="product", disable=opts["no_progress"], file=self.stderr)

        try:
            summary = catalog_sync(progress=progress)
        except OdooError as exc:
            raise CommandError(explain(exc)) from exc
        self.stdout.write(f"Catalog synced ({settings.ODOO_ORDER_MODEL} mode): {summary}")
