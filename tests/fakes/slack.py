"""A fake Slack incoming-webhook server on 127.0.0.1 (https://api.slack.com/messaging/webhooks).

    def test_x(fake_slack):
        fake_slack.fail(500, times=2)   # the next two posts fail, then Slack is back
        fake_slack.down(503)            # every post fails until `fake_slack.up()`

Answers like Slack: `200 ok`, or an error status with a plain-text reason. Accepted posts are kept (parsed JSON)
in `fake_slack.messages`; every attempt, failed or not, in `fake_slack.attempts`. The `fake_slack` fixture points
`SLACK_WEBHOOK_URL` at the server and makes retries instant.
Use it from any test directory: `from tests.fakes.slack import fake_slack  # noqa: F401` in a conftest.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

WEBHOOK_PATH = "/services/T0000/B0000/fakesecret"
REASONS = {400: "invalid_payload", 403: "action_prohibited", 404: "no_service", 410: "channel_is_archived",
           429: "rate_limited", 500: "rollup_error", 503: "service_unavailable"}


class FakeSlack:
    def __init__(self):
        self.messages: list[dict] = []
        self.attempts = 0
        self._failures: list[int] = []
        self._down_status: int | None = None
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{WEBHOOK_PATH}"

    def fail(self, status: int = 500, *, times: int = 1) -> None:
        self._failures.extend([status] * times)

    def down(self, status: int = 503) -> None:
        self._down_status = status

    def up(self) -> None:
        self._down_status = None
        self._failures.clear()

    def answer(self, path: str, body: bytes) -> tuple[int, str]:
        with self._lock:
            self.attempts += 1
            if path != WEBHOOK_PATH:
                return 404, "no_service"
            status = self._down_status or (self._failures.pop(0) if self._failures else None)
            if status:
                return status, REASONS.get(status, "error")
            try:
                payload = json.loads(body)
            except ValueError:
                return 400, "invalid_payload"
            if not payload.get("text") and not payload.get("blocks"):
                return 400, "no_text"
            self.messages.append(payload)
            return 200, "ok"

    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(fake: FakeSlack):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, reason = fake.answer(self.path, body)
            data = reason.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def fake_slack(settings):
    fake = FakeSlack().start()
    settings.SLACK_WEBHOOK_URL = fake.url
    settings.SLACK_RETRY_WAIT_SECONDS = 0
    settings.SLACK_TIMEOUT = 2.0
    settings.SITE_URL = "https://ops.example.cl"
    try:
        yield fake
    finally:
        fake.stop()
