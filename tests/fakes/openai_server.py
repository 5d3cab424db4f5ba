"""A fake OpenAI server on 127.0.0.1 speaking, as the public API reference describes them:

- `POST /v1/chat/completions`: JSON; user messages may carry `image_url` parts (a data: or http(s) URL) and
  `file` parts (`{"filename", "file_data": "data:application/pdf;base64,..."}`); malformed parts get the API's
  400. The answer is a `chat.completion` whose forced tool call has the name the request asked for.
- `POST /v1/audio/transcriptions`: multipart/form-data with `file` and `model` (plus optional `language`,
  `prompt`, `response_format`); a missing file or model, an unknown model or a file name without a supported
  extension get a 400; the answer is `{"text": ..., "usage": {...}}` (or plain text for `response_format=text`).

Scripting, per test:

    fake_openai.tool_call({"lane": "info", ...})     # next chat answer
    fake_openai.status(429, retry_after=0)           # then a rate limit (endpoint="chat" by default)
    fake_openai.delay(2.0)                           # then a slow answer
    fake_openai.transcript("dos cajas de té verde")  # next transcription answer
    fake_openai.set_mode("hang")                     # from now on EVERY call hangs / "5xx" / "429" / "garbage"
    fake_openai.set_mode(None)                       # back to the script

Scripted answers are consumed in order, per endpoint; when an endpoint's script is empty it answers 500 (a test
that forgot to script a call fails loudly rather than passing by accident). Every request is kept, in arrival
order, in `fake_openai.requests` (parsed bodies: chat JSON, or the transcription's form fields with `file` as
`{"filename", "content_type", "data"}`) and `fake_openai.received` (with the endpoint and headers).

The `fake_openai` fixture points `OPENAI_API_KEY` / `OPENAI_BASE_URL` at the server, sets short timeouts and
instant retries, and resets the shared circuit breaker before and after the test.
Use it from any test directory: `from tests.fakes.openai_server import fake_openai  # noqa: F401` in a conftest.
"""

from __future__ import annotations

import base64
import json
import re
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

ENDPOINTS = {"/v1/chat/completions": "chat", "/v1/audio/transcriptions": "transcriptions"}
TRANSCRIBE_MODELS = {"gpt-4o-mini-transcribe", "gpt-4o-transcribe", "gpt-4o-mini-transcribe-2025-12-15",
                     "whisper-1"}
AUDIO_EXTENSIONS = {"flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"}
MODES = {"hang", "5xx", "429", "garbage"}
HANG_SECONDS = 30.0
GARBAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    tool_arguments: str | None = None  # a tool call; the function name is taken from the request
    from_mode: bool = False  # a failure mode's answer: it wins over request validation (a dead server reads nothing)


@dataclass
class Received:
    endpoint: str
    body: dict
    headers: dict
    at: float


def completion(*, tool_arguments: str | None = None, content: str | None = None, model: str = "gpt-fake",
               tool_name: str = "route_message") -> dict:
    """A chat.completion object as the API returns it (https://platform.openai.com/docs/api-reference/chat/object)."""
    message = {"role": "assistant", "content": content, "refusal": None}
    finish = "stop"
    if tool_arguments is not None:
        message["tool_calls"] = [
            {"id": "call_fake1", "type": "function", "function": {"name": tool_name, "arguments": tool_arguments}}
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


def transcription(text: str) -> dict:
    """https://platform.openai.com/docs/api-reference/audio/json-object (token-billed models)."""
    return {"text": text, "usage": {"type": "tokens", "input_tokens": 57,
                                    "input_token_details": {"text_tokens": 0, "audio_tokens": 57},
                                    "output_tokens": 11, "total_tokens": 68}}


def api_error(status: int, message: str, *, param: str | None = None, code: str | None = None) -> Scripted:
    kind = "invalid_request_error" if status < 500 else "server_error"
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return Scripted(status, json.dumps(body).encode())


class FakeOpenAI:
    def __init__(self):
        self.script: dict[str, deque[Scripted]] = {name: deque() for name in ENDPOINTS.values()}
        self.requests: list[dict] = []
        self.received: list[Received] = []
        self.modes: dict[str | None, tuple[str, float | None]] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a handler still sleeping out a "timeout" must not block teardown
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    # --- scripting -------------------------------------------------------------------------------------------
    def tool_call(self, arguments: dict | str, *, delay: float = 0.0) -> None:
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        self.script["chat"].append(Scripted(delay=delay, tool_arguments=raw))

    def text(self, content: str) -> None:
        """The model ignored the tool and wrote prose."""
        self._push("chat", 200, completion(content=content))

    def transcript(self, text: str, *, delay: float = 0.0) -> None:
        self._push("transcriptions", 200, transcription(text), delay=delay)

    def raw(self, body: bytes, status: int = 200, *, endpoint: str = "chat") -> None:
        """Bytes as they are (e.g. a body that is not JSON at all)."""
        self.script[endpoint].append(Scripted(status, body, {"Content-Type": "application/json"}))

    def status(self, code: int, *, retry_after: float | None = None, times: int = 1, endpoint: str = "chat",
               delay: float = 0.0) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        error = {"error": {"message": f"fake {code}", "type": "server_error", "param": None, "code": None}}
        for _ in range(times):
            self._push(endpoint, code, error, headers=headers, delay=delay)

    def delay(self, seconds: float, arguments: dict | None = None) -> None:
        """Answer only after `seconds` (beyond the client's timeout to test it)."""
        self.script["chat"].append(Scripted(delay=seconds, tool_arguments=json.dumps(arguments or {})))

    def set_mode(self, mode: str | None, *, endpoint: str | None = None, retry_after: float | None = None) -> None:
        """Every call to `endpoint` (None: all) hangs, answers 503, 429 (with `retry_after`) or garbage, until
        `set_mode(None)`; the script is not consumed meanwhile."""
        if mode is None:
            self.modes.pop(endpoint, None) if endpoint else self.modes.clear()
            return
        if mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}")
        self.modes[endpoint] = (mode, retry_after)

    def _push(self, endpoint: str, status: int, payload: dict, *, headers: dict | None = None,
              delay: float = 0.0) -> None:
        body = json.dumps(payload).encode()
        self.script[endpoint].append(Scripted(status, body, {"Content-Type": "application/json", **(headers or {})},
                                              delay))

    # --- what was sent -----------------------------------------------------------------------------------------
    def requests_to(self, endpoint: str) -> list[dict]:
        return [r.body for r in self.received if r.endpoint == endpoint]

    def content_parts(self, kind: str) -> list[dict]:
        """Every user-message content part of type `kind` ("image_url", "file", "text") sent to chat."""
        return [part for body in self.requests_to("chat") for message in body.get("messages", [])
                if isinstance(message.get("content"), list) for part in message["content"]
                if part.get("type") == kind]

    # --- serving ---------------------------------------------------------------------------------------------
    def next_answer(self, endpoint: str, request: dict, headers: dict) -> Scripted:
        with self._lock:
            self.requests.append(request)
            self.received.append(Received(endpoint, request, headers, time.monotonic()))
            mode = self.modes.get(endpoint) or self.modes.get(None)
            if mode:
                return _mode_answer(*mode)
            if self.script[endpoint]:
                return self.script[endpoint].popleft()
        return api_error(500, f"fake_openai: nothing scripted for {endpoint}")

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def _mode_answer(mode: str, retry_after: float | None) -> Scripted:
    if mode == "hang":
        answer = Scripted(delay=HANG_SECONDS, body=b"{}")
    elif mode == "5xx":
        answer = api_error(503, "fake overload")
    elif mode == "429":
        answer = api_error(429, "Rate limit reached", code="rate_limit_exceeded")
        answer.headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    else:
        answer = Scripted(200, GARBAGE, {"Content-Type": "application/json"})
    answer.from_mode = True
    return answer


# --- request validation, as the API does it -------------------------------------------------------------------
def _chat_problem(body: dict) -> Scripted | None:
    if not body.get("model") or not isinstance(body.get("messages"), list):
        return api_error(400, "model and messages are required", param="messages")
    for message in body["messages"]:
        if not isinstance(message.get("content"), list):
            continue
        for part in message["content"]:
            problem = _part_problem(part, message.get("role"))
            if problem:
                return api_error(400, problem, param="messages")
    return None


def _part_problem(part: dict, role: str) -> str | None:
    kind = part.get("type")
    if kind == "image_url":
        url = (part.get("image_url") or {}).get("url", "")
        if not re.match(r"^(https?://|data:image/(png|jpeg|gif|webp);base64,)", url):
            return "Invalid image_url: expected an http(s) URL or a base64 data URL of png, jpeg, gif or webp"
        return _base64_problem(url) if url.startswith("data:") else None
    if kind == "file":
        if role != "user":
            return "file content parts are only allowed in user messages"
        file = part.get("file") or {}
        if file.get("file_id"):
            return None
        if not file.get("filename") or not str(file.get("file_data", "")).startswith("data:application/pdf;base64,"):
            return "file parts need filename and file_data as data:application/pdf;base64,..."
        return _base64_problem(file["file_data"])
    return None if kind == "text" else f"unknown content part type {kind!r}"


def _base64_problem(data_url: str) -> str | None:
    try:
        base64.b64decode(data_url.split(",", 1)[1], validate=True)
    except (ValueError, IndexError):
        return "the data URL is not valid base64"
    return None


def _transcription_problem(form: dict) -> Scripted | None:
    file = form.get("file")
    if not isinstance(file, dict) or not file.get("data"):
        return api_error(400, "you must provide a file", param="file")
    if not form.get("model"):
        return api_error(400, "you must provide a model parameter", param="model")
    if form["model"] not in TRANSCRIBE_MODELS:
        return api_error(400, f"The model `{form['model']}` does not exist", param="model", code="model_not_found")
    extension = file.get("filename", "").rsplit(".", 1)[-1].lower() if "." in file.get("filename", "") else ""
    if extension not in AUDIO_EXTENSIONS:
        return api_error(400, f"Invalid file format. Supported formats: {sorted(AUDIO_EXTENSIONS)}", param="file")
    return None


def parse_multipart(content_type: str, body: bytes) -> dict:
    """Form fields of a multipart/form-data body (RFC 7578); files as {"filename", "content_type", "data"}."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if not boundary:
        raise ValueError("no multipart boundary")
    fields = {}
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        part = Message()
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            part[name.strip()] = value.strip()
        data = data.removesuffix(b"\r\n")
        field_name = part.get_param("name", header="content-disposition")
        if part.get_filename() is not None:
            fields[field_name] = {"filename": part.get_filename(), "content_type": part.get_content_type(),
                                  "data": data}
        else:
            fields[field_name] = data.decode("utf-8")
    return fields


class _Handler(BaseHTTPRequestHandler):
    # Headers and body go out as two writes; with Nagle on, the body waits for the client's delayed ACK
    # (up to 200 ms), which would blur the timings these tests measure.
    disable_nagle_algorithm = True

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        endpoint = ENDPOINTS.get(self.path.rstrip("/"))
        if endpoint is None:
            return self._send(api_error(404, f"Invalid URL (POST {self.path})"))
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            return self._send(api_error(401, "You didn't provide an API key."))
        try:
            request = self._parsed(endpoint, body)
        except ValueError as exc:
            return self._send(api_error(400, f"could not parse the body: {exc}"))
        problem = _chat_problem(request) if endpoint == "chat" else _transcription_problem(request)
        answer = self.server.fake.next_answer(endpoint, request, dict(self.headers))
        if problem and not answer.from_mode:
            answer = problem
        self._wait(answer.delay)
        self._send(self._finished(answer, endpoint, request))

    def _parsed(self, endpoint: str, body: bytes) -> dict:
        if endpoint == "chat":
            return json.loads(body or b"{}")
        return parse_multipart(self.headers.get("Content-Type", ""), body)

    def _finished(self, answer: Scripted, endpoint: str, request: dict) -> Scripted:
        if answer.tool_arguments is None:
            if endpoint == "transcriptions" and request.get("response_format") == "text" and answer.status == 200:
                text = json.loads(answer.body)["text"]
                return Scripted(200, text.encode(), {"Content-Type": "text/plain"})
            return answer
        forced = ((request.get("tool_choice") or {}).get("function") or {}).get("name", "route_message")
        body = completion(tool_arguments=answer.tool_arguments, tool_name=forced)
        return Scripted(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _wait(self, seconds: float) -> None:
        """Sleep, but stop as soon as the client hangs up or the server stops (a hang must not pin a thread)."""
        ends = time.monotonic() + seconds
        while time.monotonic() < ends and not self.server.fake.stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], min(0.05, max(ends - time.monotonic(), 0)))
            if readable and not self.connection.recv(1, socket.MSG_PEEK):  # b"": the client left
                return

    def _send(self, answer: Scripted) -> None:
        try:
            self.send_response(answer.status)
            for name, value in {"Content-Type": "application/json", **answer.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client timed out and left; that is the scenario being tested

    def log_message(self, *args):  # keep test output clean
        pass



@pytest.fixture
def fake_openai(settings):
    from integrations.openai.client import reset_breaker

    fake = FakeOpenAI().start()
    settings.OPENAI_API_KEY = "sk-test-fake"
    settings.OPENAI_BASE_URL = fake.base_url
    settings.OPENAI_MODEL = "gpt-fake"
    settings.OPENAI_TRANSCRIBE_MODEL = "gpt-4o-mini-transcribe"
    settings.OPENAI_TIMEOUT = 0.5
    settings.OPENAI_TURN_TIMEOUT = 0.5
    settings.OPENAI_RETRY_MAX_WAIT = 0.05
    reset_breaker()
    yield fake
    reset_breaker()
    fake.stop()
