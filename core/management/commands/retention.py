"""`manage.py retention [--dry-run]`: redact or delete personal data past the configured ages (core.retention)."""

from django.core.management import BaseCommand

from core.retention import installed_rules, retention_apply


class Command(BaseCommand):
    help = "Redact message content, raw webhook bodies and call logs older than the RETENTION_* ages."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would change.")

    def handle(self, *args, dry_run: bool, **options):
        counts = retention_apply(dry_run=dry_run)
        verb = "would" if dry_run else "did"
        for rule in installed_rules():
            days = rule.age_days
            self.stdout.write(f"{rule.kind}: {counts[rule.kind]} ({verb} {rule.action}; older than {days} days)")
        if dry_run:
            self.stdout.write("dry run: nothing changed")
