"""The stand-in's HTTP layer: routing, auth, failure injection and echo timing. State lives in `standin.py`."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

_API = r"^/api/v1/accounts/(?P<account>\d+)"
# (method, path regex) -> handler name on the request handler below: a dispatch table, not an if-chain.
ROUTES = [
    ("POST", re.compile(_API + r"/conversations/(?P<cid>\d+)/messages/?$"), "api_create_message"),
    ("GET", re.compile(_API + r"/conversations/(?P<cid>\d+)/messages/?$"), "api_list_messages"),
    ("POST", re.compile(_API + r"/conversations/(?P<cid>\d+)/toggle_status/?$"), "api_toggle_status"),
    ("POST", re.compile(_API + r"/conversations/(?P<cid>\d+)/toggle_typing_status/?$"), "api_toggle_typing"),
    ("POST", re.compile(_API + r"/conversations/(?P<cid>\d+)/assignments/?$"), "api_assign"),
    ("GET", re.compile(_API + r"/conversations/(?P<cid>\d+)/?$"), "api_show_conversation"),
    ("GET", re.compile(_API + r"/conversations/?$"), "api_list_conversations"),
    ("POST", re.compile(r"^/standin/inbound/?$"), "standin_inbound"),
    ("GET", re.compile(r"^/standin/conversations/?$"), "standin_conversations"),
    ("GET", re.compile(r"^/standin/conversations/(?P<cid>\d+)/messages/?$"), "standin_messages"),
    ("POST", re.compile(r"^/standin/conversations/(?P<cid>\d+)/can_reply/?$"), "standin_can_reply"),
]


def _in_background(func, *args) -> None:
    threading.Thread(target=func, args=args, name="standin-webhook", daemon=True).start()


class StandinError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _make_handler(standin):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: avoid the 40 ms delayed-ACK stall

        def log_message(self, format, *args):  # keep test output and `make run` quiet
            pass

        def do_GET(self):
            self._dispatch("GET")

        def do_POST(self):
            self._dispatch("POST")

        # --- plumbing -------------------------------------------------------------------------------------
        def _dispatch(self, method: str) -> None:
            split = urlsplit(self.path)
            self.query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            self.body = self._read_body()
            for route_method, pattern, name in ROUTES:
                match = pattern.match(split.path)
                if match and route_method == method:
                    self.params = match.groupdict()
                    return self._run(name)
            self._send(404, {"error": "Resource could not be found"})

        def _run(self, name: str) -> None:
            is_api = name.startswith("api_")
            standin.requests.append((self.command, self.path, self.body))
            try:
                if is_api and not self._authorised():
                    return self._send(401, {"errors": ["You need to sign in or sign up before continuing."]})
                if is_api and self._injected_failure():
                    return
                getattr(self, name)()
            except StandinError as exc:
                self._send(exc.status, {"error": exc.message, "message": exc.message})
            except (ValueError, KeyError, TypeError) as exc:
                self._send(400, {"error": f"bad request: {exc}"})

        def _authorised(self) -> bool:
            return bool(self.headers.get("api_access_token")) and self.headers["api_access_token"] == standin.token

        def _injected_failure(self) -> bool:
            failure = standin.take_failure()
            if failure is None:
                return False
            kind, a, b = failure
            if kind == "timeout":
                time.sleep(a)
                if b:  # carried out anyway, after the client gave up
                    return False
                self._send(504, {"error": "stand-in timeout"})
                return True
            headers = {"Retry-After": str(b)} if (a == 429 and b is not None) else {}
            self._send(a, {"error": f"injected {a}"}, headers)
            return True

        def _read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not raw:
                return {}
            try:
                return json.loads(raw)
            except ValueError:
                return {"__invalid__": raw.decode("utf-8", "replace")}

        def _json_body(self) -> dict:
            if not isinstance(self.body, dict) or "__invalid__" in self.body:
                raise StandinError(400, "body must be a JSON object")
            return self.body

        def _send(self, status: int, payload, headers: dict | None = None) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and went away

        @property
        def cid(self) -> int:
            return int(self.params["cid"])

        # --- Chatwoot REST ----------------------------------------------------------------------------------
        def api_create_message(self):
            rest, echo = standin.create_message(self.cid, self._json_body())
            if standin.echo_timing == "before":
                standin.deliver(echo)  # the race: our webhook sees the echo before the POST has returned
                self._send(200, rest)
            else:
                self._send(200, rest)
                # Chatwoot's webhook job runs after the request, elsewhere: not on this keep-alive connection's
                # thread, where it would hold up the client's next request.
                _in_background(standin.deliver, echo)

        def api_list_messages(self):
            self._send(200, standin.list_messages(self.cid, self.query))

        def api_toggle_status(self):
            self._send(200, standin.toggle_status(self.cid, self._json_body()))
            _in_background(standin.deliver, standin.status_event(self.cid))  # as Chatwoot: a status webhook follows

        def api_toggle_typing(self):
            self._send(200, standin.toggle_typing(self.cid, self._json_body()))

        def api_assign(self):
            self._send(200, standin.assign(self.cid, self._json_body()))

        def api_show_conversation(self):
            self._send(200, standin.show_conversation(self.cid))

        def api_list_conversations(self):
            self._send(200, standin.list_conversations(self.query))

        # --- stand-in only --------------------------------------------------------------------------------
        def standin_inbound(self):
            body = self._json_body()
            if not isinstance(body.get("content"), str) or not body["content"].strip():
                raise StandinError(400, "content (non-empty string) is required")
            contact = body.get("contact") or {}
            if not isinstance(contact, dict):
                raise StandinError(400, "contact must be an object")
            cid = body.get("conversation_id")
            result = standin.inbound(content=body["content"], contact=contact,
                                     conversation_id=int(cid) if cid is not None else None,
                                     channel=body.get("channel") or "whatsapp")
            self._send(201, result)

        def standin_conversations(self):
            with standin._lock:
                ids = sorted(standin.conversations)
            self._send(200, {"payload": [standin.show_conversation(i) for i in ids]})

        def standin_messages(self):
            times = {str(k): v for k, v in standin.bot_message_times(self.cid).items()}
            self._send(200, {"payload": standin.bot_messages(self.cid), "received_at": times})

        def standin_can_reply(self):
            value = self._json_body().get("can_reply")
            if not isinstance(value, bool):
                raise StandinError(400, "can_reply must be true or false")
            standin.set_can_reply(self.cid, value)
            self._send(200, {"conversation_id": self.cid, "can_reply": value})

    return Handler
