"""`manage.py route` (CONTRACT section 4): JSON lines in on stdin, one routing decision per line out on stdout.

A bad line (not JSON, no text, unknown order_state) gives a JSON error line on stderr and the next line is read.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from agents.routing import Catalog, route
from agents.routing.decision import ORDER_STATES


class BadLine(ValueError):
    pass


def parse_line(line: str) -> tuple[str, str | None]:
    try:
        payload = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"invalid JSON: {exc.msg}") from exc
    if not isinstance(payload, dict):
        raise BadLine("expected a JSON object")
    text, state = payload.get("text"), payload.get("order_state")
    if not isinstance(text, str) or not text.strip():
        raise BadLine('"text" must be a non-empty string')
    if state is not None and state not in ORDER_STATES:
        raise BadLine(f'"order_state" must be null or one of {", ".join(ORDER_STATES)}')
    return text, state


class Command(BaseCommand):
    help = 'Route JSON lines {"text": ..., "order_state": null} from stdin; print one decision per line.'
    stealth_options = ("stdin",)  # call_command("route", stdin=io.StringIO(...)) in tests

    def handle(self, *args, **options):
        stdin = options.get("stdin") or sys.stdin
        catalog = Catalog.from_db()
        for number, line in enumerate(stdin, start=1):
            if not line.strip():
                continue
            try:
                text, state = parse_line(line)
            except BadLine as exc:
                self.stderr.write(json.dumps({"line": number, "error": str(exc)}, ensure_ascii=False))
                continue
            decision = route(text, order_state=state, catalog=catalog)
            self.stdout.write(json.dumps(decision.contract_json(), ensure_ascii=False))
            self.stdout.flush()
