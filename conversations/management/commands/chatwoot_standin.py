"""Serve the local Chatwoot stand-in (`make run` starts it when CHATWOOT_BASE_URL is unset).

Its state (ids, contacts, conversations, messages) lives in `<STANDIN_STATE_DIR>/chatwoot.json`, shared with
`make demo` (`project_standin` below), so any number of restarts keeps Chatwoot's ids increasing.
"""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections
from django.db.models import Max

from conversations.models import Contact, Conversation, Message
from integrations.chatwoot.standin import ChatwootStandin
from integrations.chatwoot.standin_state import StateFile, StateFileBusy, StateFileError

logger = logging.getLogger(__name__)


def default_state_path() -> Path | None:
    return settings.STANDIN_STATE_DIR / "chatwoot.json" if settings.STANDIN_STATE_DIR else None


def database_id_floor() -> dict[str, int]:
    """The highest Chatwoot ids our database has stored. A stand-in whose state file is new (first run, or the
    file was deleted) starts above them, so none of its webhooks is taken for a duplicate of an old one."""
    try:
        return {
            "conversation": Conversation.objects.aggregate(top=Max("chatwoot_id"))["top"] or 0,
            "contact": Contact.objects.aggregate(top=Max("chatwoot_id"))["top"] or 0,
            "message": Message.objects.aggregate(top=Max("chatwoot_id"))["top"] or 0,
        }
    except DatabaseError:  # not migrated yet: nothing stored, nothing to stay above
        return {}


def database_identity() -> str:
    """Which database the stand-in's ids must stay ahead of (the state file's owner)."""
    db = settings.DATABASES["default"]
    return f"{connection.vendor}:{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}"


def project_standin(*, state_path: str | Path | None = None, **options) -> ChatwootStandin:
    """The stand-in `make run` and `make demo` share: state in `state_path` (default: the STANDIN_STATE_DIR file;
    "" keeps it in memory), ids above what the database has seen.

    The file belongs to one database. While a stand-in for that same database runs, a second one is refused (both
    would hand out the same ids); while one for another database holds it (a benchmark on its own database), this
    one keeps its state in memory, its ids still above its database's."""
    path = default_state_path() if state_path is None else (state_path or None)
    owner, floor = database_identity(), database_id_floor()
    try:
        return ChatwootStandin(state_path=path, state_owner=owner, id_floor=floor, **options)
    except StateFileBusy as exc:
        if _owner_of(path) == owner:
            raise CommandError(f"{exc}. Is `make run` or `make demo` still running? Stop it first.") from exc
        logger.warning("%s; this stand-in (database %s) keeps its state in memory", exc, owner)
        return ChatwootStandin(state_path=None, id_floor=floor, **options)
    except StateFileError as exc:
        raise CommandError(str(exc)) from exc


def _owner_of(path) -> str | None:
    try:
        return (StateFile(path).load() or {}).get("owner")
    except StateFileError:
        return None


class Command(BaseCommand):
    help = "Run the local Chatwoot stand-in: REST API for our client, echo webhooks back to this app."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.CHATWOOT_STANDIN_PORT)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--webhook-url", default=settings.SITE_URL.rstrip("/") + "/webhooks/chatwoot/")
        parser.add_argument("--echo-timing", choices=["after", "before"], default="after")
        parser.add_argument("--state-file", default=None,
                            help="JSON state file (default: STANDIN_STATE_DIR/chatwoot.json; '' = in memory)")
        parser.add_argument("--whatsapp-updates", action=argparse.BooleanOptionalAction, default=True,
                            help="follow each WhatsApp reply with the message_updated that stores its wamid")

    def handle(self, *args, **options):
        # runlocal stops its children with SIGTERM: unwind as for Ctrl-C so the final state is written.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        secrets = settings.CHATWOOT_WEBHOOK_SECRETS
        standin = project_standin(
            state_path=options["state_file"],
            host=options["host"],
            port=options["port"],
            token=settings.CHATWOOT_API_TOKEN,
            webhook_url=options["webhook_url"],
            secret=secrets[0] if secrets else "",
            echo_timing=options["echo_timing"],
            whatsapp_updates=options["whatsapp_updates"],
        )
        connections.close_all()  # the floor was read; a long-lived idle connection helps nobody
        where = standin.state_path or "memory"
        self.stdout.write(f"Chatwoot stand-in on {standin.url} (webhooks to {options['webhook_url']}; state: {where})")
        try:
            standin.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            standin.close()


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt
