"""`manage.py sync_catalog`: pull purchasable products from Odoo into the local catalog (CONTRACT §4)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from integrations.odoo.errors import OdooError
from orders.catalog_sync import catalog_sync


class Command(BaseCommand):
    help = "Pull purchasable products (code, name, unit, vendor price, stock on hand) from Odoo. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, CI)")

    def handle(self, *args, **opts):
        def progress(rows):
            return tqdm(rows, desc="Products", unit="product", disable=opts["no_progress"], file=self.stderr)

        try:
            summary = catalog_sync(progress=progress)
        except OdooError as exc:
            raise CommandError(f"Odoo: {exc.__class__.__name__}: {exc}") from exc
        self.stdout.write(f"Catalog synced: {summary}")
