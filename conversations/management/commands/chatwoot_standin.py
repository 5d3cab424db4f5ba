"""Serve the local Chatwoot stand-in (`make run` starts it when CHATWOOT_BASE_URL is unset)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from integrations.chatwoot.standin import ChatwootStandin


class Command(BaseCommand):
    help = "Run the local Chatwoot stand-in: REST API for our client, echo webhooks back to this app."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.CHATWOOT_STANDIN_PORT)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--webhook-url", default=settings.SITE_URL.rstrip("/") + "/webhooks/chatwoot/")
        parser.add_argument("--echo-timing", choices=["after", "before"], default="after")

    def handle(self, *args, **options):
        secrets = settings.CHATWOOT_WEBHOOK_SECRETS
        standin = ChatwootStandin(
            host=options["host"],
            port=options["port"],
            token=settings.CHATWOOT_API_TOKEN,
            webhook_url=options["webhook_url"],
            secret=secrets[0] if secrets else "",
            echo_timing=options["echo_timing"],
        )
        self.stdout.write(f"Chatwoot stand-in on {standin.url} (webhooks to {options['webhook_url']})")
        try:
            standin.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            standin.server.server_close()
