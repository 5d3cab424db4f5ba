"""A fake OpenAI server on 127.0.0.1 speaking `POST /v1/chat/completions`, scripted per test.

    def test_x(fake_openai):
        fake_openai.tool_call({"lane": "info", "intent": "greeting", ...})   # next answer
        fake_openai.status(429, retry_after=0)                                # then a rate limit
        fake_openai.delay(2.0)                                                # then a slow answer

Answers are consumed in order; when the script is empty the server answers 500 (a test that forgot to script a
call fails loudly rather than passing by accident). Every request body is kept in `fake_openai.requests`.
The `fake_openai` fixture points `OPENAI_API_KEY` / `OPENAI_BASE_URL` at the server, sets a short
`OPENAI_TIMEOUT` and instant retries, and resets the process-wide circuit breaker before and after the test.
Use it from any test directory: `from tests.fakes.openai_server import fake_openai  # noqa: F401` in a conftest.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


def completion(*, tool_arguments: str | None = None, content: str | None = None, model: str = "gpt-fake") -> dict:
    """A chat.completion object as the API returns it (https://platform.openai.com/docs/api-reference/chat/object)."""
    message = {"role": "assistant", "content": content, "refusal": None}
    finish = "stop"
    if tool_arguments is not None:
        message["tool_calls"] = [
            {"id": "call_fake1", "type": "function", "function": {"name": "route_message", "arguments": tool_arguments}}
        ]
        finish = "tool_calls"
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {"prompt_tokens": 321, "completion_tokens": 42, "total_tokens": 363},
    }


class FakeOpenAI:
    def __init__(self):
        self.script: deque[Scripted] = deque()
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a handler still sleeping out a "timeout" must not block teardown
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    # --- scripting -------------------------------------------------------------------------------------------
    def tool_call(self, arguments: dict | str, *, delay: float = 0.0) -> None:
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        self._push(200, completion(tool_arguments=raw), delay=delay)

    def text(self, content: str) -> None:
        """The model ignored the tool and wrote prose."""
        self._push(200, completion(content=content))

    def raw(self, body: bytes, status: int = 200) -> None:
        """Bytes as they are (e.g. a body that is not JSON at all)."""
        self.script.append(Scripted(status, body, {"Content-Type": "application/json"}))

    def status(self, code: int, *, retry_after: float | None = None, times: int = 1) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        error = {"error": {"message": f"fake {code}", "type": "server_error", "param": None, "code": None}}
        for _ in range(times):
            self._push(code, error, headers=headers)

    def delay(self, seconds: float, arguments: dict | None = None) -> None:
        """Answer only after `seconds` (beyond the client's timeout to test it)."""
        self._push(200, completion(tool_arguments=json.dumps(arguments or {})), delay=seconds)

    def _push(self, status: int, payload: dict, *, headers: dict | None = None, delay: float = 0.0) -> None:
        body = json.dumps(payload).encode()
        self.script.append(Scripted(status, body, {"Content-Type": "application/json", **(headers or {})}, delay))

    # --- serving ---------------------------------------------------------------------------------------------
    def next_answer(self, request: dict) -> Scripted:
        with self._lock:
            self.requests.append(request)
            if self.script:
                return self.script.popleft()
        return Scripted(500, b'{"error": {"message": "fake_openai: nothing scripted", "type": "server_error"}}')

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(fake: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._send(Scripted(404, b'{"error": {"message": "unknown path"}}'))
            if not self.headers.get("Authorization", "").startswith("Bearer "):
                return self._send(Scripted(401, b'{"error": {"message": "missing API key"}}'))
            answer = fake.next_answer(json.loads(body or b"{}"))
            if answer.delay:
                time.sleep(answer.delay)
            self._send(answer)

        def _send(self, answer: Scripted) -> None:
            try:
                self.send_response(answer.status)
                for name, value in {"Content-Type": "application/json", **answer.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left; that is the scenario being tested

        def log_message(self, *args):  # keep test output clean
            pass

    return Handler


@pytest.fixture
def fake_openai(settings):
    from integrations.openai.client import reset_breaker

    fake = FakeOpenAI().start()
    settings.OPENAI_API_KEY = "sk-test-fake"
    settings.OPENAI_BASE_URL = fake.base_url
    settings.OPENAI_MODEL = "gpt-fake"
    settings.OPENAI_TIMEOUT = 0.5
    settings.OPENAI_RETRY_MAX_WAIT = 0.05
    reset_breaker()
    yield fake
    reset_breaker()
    fake.stop()
