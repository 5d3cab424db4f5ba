"""The stand-in's HTTP layer: routing, auth, fault injection and echo timing. State lives in `standin.py`, the
fault vocabulary in `standin_faults.py`."""

from __future__ import annotations

import json
import logging
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from integrations.chatwoot.standin_faults import Fault

logger = logging.getLogger(__name__)
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
    ("GET", re.compile(_API + r"/inboxes/?$"), "api_list_inboxes"),
    ("GET", re.compile(_API + r"/inboxes/(?P<iid>\d+)/?$"), "api_show_inbox"),
    ("POST", re.compile(r"^/standin/inbound/?$"), "standin_inbound"),
    ("GET", re.compile(r"^/standin/conversations/?$"), "standin_conversations"),
    ("GET", re.compile(r"^/standin/conversations/(?P<cid>\d+)/messages/?$"), "standin_messages"),
    ("POST", re.compile(r"^/standin/conversations/(?P<cid>\d+)/can_reply/?$"), "standin_can_reply"),
    ("POST", re.compile(r"^/standin/faults/?$"), "standin_arm_faults"),
    ("GET", re.compile(r"^/standin/faults/?$"), "standin_list_faults"),
    ("DELETE", re.compile(r"^/standin/faults/?$"), "standin_clear_faults"),
    ("GET", re.compile(r"^/standin/records/?$"), "standin_records"),
    ("POST", re.compile(r"^/standin/messages/(?P<mid>\d+)/status/?$"), "standin_message_status"),
    ("GET", re.compile(r"^/standin/message_templates/?$"), "standin_list_templates"),
    ("POST", re.compile(r"^/standin/message_templates/?$"), "standin_set_templates"),
]
# What a gateway in front of Chatwoot answers for these (Rails itself only ever says 500).
GATEWAY_PAGE = "<html><head><title>{code}</title></head><body><center><h1>{code}</h1></center><hr>" \
               "<center>nginx</center></body></html>\n"


def _in_background(func, *args) -> None:
    threading.Thread(target=func, args=args, name="standin-webhook", daemon=True).start()


class StandinError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Reply:
    """A handler's answer and the webhooks Chatwoot's jobs send because of it (delivered after, or before when
    `echo` and the stand-in's echo_timing is "before")."""
    status: int
    body: object
    followups: list = field(default_factory=list)
    echo: bool = False


class StandinHandler(BaseHTTPRequestHandler):
    """One request to the stand-in; `standin` is set on the subclass `_make_handler` builds."""

    standin = None
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: avoid the 40 ms delayed-ACK stall

    def log_message(self, format, *args):  # keep test output and `make run` quiet
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # --- plumbing -------------------------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        self.route_path = split.path
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
        self.standin.requests.append((self.command, self.path, self.body))
        if is_api and not self._authorised():
            return self._send(401, {"errors": ["You need to sign in or sign up before continuing."]})
        fault = self.standin.faults.take_request(self.command, self.route_path, self._cid()) if is_api else None
        if fault is not None and not fault.after and getattr(self, f"_fault_{fault.kind}")(fault):
            return
        reply = self._call(name)
        if fault is not None and fault.after:
            return self._after(fault, reply)
        if fault is not None and fault.kind == "timeout_then_apply":  # did the late request take effect?
            self._late_entry["effect_applied"] = reply.status < 400
        self._answer(reply)

    def _call(self, name: str) -> Reply:
        try:
            return getattr(self, name)()
        except StandinError as exc:
            return Reply(exc.status, {"error": exc.message, "message": exc.message})
        except (ValueError, KeyError, TypeError) as exc:
            return Reply(400, {"error": f"bad request: {exc}"})
        except Exception:  # a stand-in bug answers 500 as Rails would; a dropped connection would pass for a fault
            logger.exception("stand-in: %s %s failed", self.command, self.path)
            return Reply(500, {"status": 500, "error": "Internal Server Error"})

    def _answer(self, reply: Reply) -> None:
        if reply.echo and self.standin.echo_timing == "before":
            for payload in reply.followups:  # the race: our webhook sees the echo before the POST returns
                self.standin.deliver(payload)
            return self._send(reply.status, reply.body)
        self._send(reply.status, reply.body)
        if reply.followups:
            # Chatwoot's webhook jobs run after the request, elsewhere: not on this keep-alive connection's
            # thread, where they would hold up the client's next request. One thread keeps their order.
            _in_background(_deliver_all, self.standin, reply.followups)

    def _authorised(self) -> bool:
        return bool(self.headers.get("api_access_token")) and self.headers["api_access_token"] == self.standin.token

    def _cid(self) -> int | None:
        return int(self.params["cid"]) if self.params.get("cid") else None

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
        self._send_raw(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers)

    def _send_raw(self, status: int, data: bytes, content_type: str, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and went away

    # --- faults: `_fault_<kind>` returns True when it has answered (or dropped) the request -------------
    def _log_fault(self, fault, **details) -> dict:
        return self.standin.faults.record(fault, method=self.command, path=self.route_path,
                                     conversation_id=self._cid(), **details)

    def _fault_rate_limit(self, fault) -> bool:
        self._log_fault(fault, effect_applied=False, answered=429)
        headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        self._send_raw(429, b"Retry later\n", "text/plain", headers)  # Rack::Attack's throttled answer
        return True

    def _fault_error_before(self, fault) -> bool:
        self._log_fault(fault, effect_applied=False, answered=fault.status)
        self._send_error(fault.status)
        return True

    def _fault_timeout_before(self, fault) -> bool:
        self._log_fault(fault, effect_applied=False, answered=504, seconds=fault.seconds)
        time.sleep(fault.seconds)
        self._send(504, {"error": "stand-in timeout"})  # to a client that has long given up
        return True

    def _fault_timeout_then_apply(self, fault) -> bool:
        self._late_entry = self._log_fault(fault, effect_applied=None, answered="late", seconds=fault.seconds)
        time.sleep(fault.seconds)
        return False  # carried out anyway, after the client gave up

    def _fault_reset_before(self, fault) -> bool:
        self._log_fault(fault, effect_applied=False, answered="reset")
        self._reset()
        return True

    def _after(self, fault, reply: Reply) -> None:
        """The request was carried out: its webhooks go out first, then the answer goes wrong."""
        if reply.status >= 400:
            self.standin.faults.give_back(fault)  # nothing was applied: the fault waits for a request that is
            return self._answer(reply)
        _deliver_all(self.standin, reply.followups)
        self._log_fault(fault, effect_applied=True, withheld=reply.body, **_after_answer(fault))
        getattr(self, f"_fault_{fault.kind}")(fault, reply)

    def _fault_error_after(self, fault, reply: Reply) -> None:
        self._send_error(fault.status)

    def _fault_timeout_after(self, fault, reply: Reply) -> None:
        time.sleep(fault.seconds)
        self._send(reply.status, reply.body)

    def _fault_reset_after(self, fault, reply: Reply) -> None:
        self._reset()

    def _send_error(self, status: int) -> None:
        if status == 500:
            return self._send(500, {"status": 500, "error": "Internal Server Error"})
        if status > 500:
            page = GATEWAY_PAGE.format(code=f"{status} {self.responses.get(status, ('',))[0]}")
            return self._send_raw(status, page.encode(), "text/html")
        self._send(status, {"error": f"injected {status}", "message": f"injected {status}"})

    def _reset(self) -> None:
        """TCP RST instead of an answer: SO_LINGER 0 makes close() abort the connection."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    # --- Chatwoot REST ----------------------------------------------------------------------------------
    def api_create_message(self) -> Reply:
        rest, followups = self.standin.create_message(self._cid(), self._json_body())
        return Reply(200, rest, followups, echo=True)

    def api_list_messages(self) -> Reply:
        return Reply(200, self.standin.list_messages(self._cid(), self.query))

    def api_toggle_status(self) -> Reply:
        answer = self.standin.toggle_status(self._cid(), self._json_body())
        return Reply(200, answer, [self.standin.status_event(self._cid())])  # as Chatwoot: a status webhook follows

    def api_toggle_typing(self) -> Reply:
        return Reply(200, self.standin.toggle_typing(self._cid(), self._json_body()))

    def api_assign(self) -> Reply:
        return Reply(200, self.standin.assign(self._cid(), self._json_body()))

    def api_show_conversation(self) -> Reply:
        return Reply(200, self.standin.show_conversation(self._cid()))

    def api_list_conversations(self) -> Reply:
        return Reply(200, self.standin.list_conversations(self.query))

    def api_list_inboxes(self) -> Reply:
        return Reply(200, self.standin.list_inboxes())

    def api_show_inbox(self) -> Reply:
        return Reply(200, self.standin.show_inbox(int(self.params["iid"])))

    # --- stand-in only --------------------------------------------------------------------------------
    def standin_inbound(self) -> Reply:
        body = self._json_body()
        if not isinstance(body.get("content"), str) or not body["content"].strip():
            raise StandinError(400, "content (non-empty string) is required")
        contact = body.get("contact") or {}
        if not isinstance(contact, dict):
            raise StandinError(400, "contact must be an object")
        cid = body.get("conversation_id")
        result = self.standin.inbound(content=body["content"], contact=contact,
                                 conversation_id=int(cid) if cid is not None else None,
                                 channel=body.get("channel") or "whatsapp")
        return Reply(201, result)

    def standin_conversations(self) -> Reply:
        with self.standin._lock:
            ids = sorted(self.standin.conversations)
        return Reply(200, {"payload": [self.standin.show_conversation(i) for i in ids]})

    def standin_messages(self) -> Reply:
        if self.query.get("wait"):
            try:
                after, wait = int(self.query.get("after") or 0), float(self.query["wait"])
            except ValueError as exc:
                raise StandinError(400, "after must be an integer and wait a number of seconds") from exc
            self.standin.wait_bot_messages(self._cid(), after, wait)
        messages = self.standin.bot_messages(self._cid())  # first: the times read after cover every one of them
        times = {str(k): v for k, v in self.standin.bot_message_times(self._cid()).items()}
        return Reply(200, {"payload": messages, "received_at": times})

    def standin_can_reply(self) -> Reply:
        body = self._json_body()
        value = body.get("can_reply", ...)
        if value is not None and not isinstance(value, bool):
            raise StandinError(400, "can_reply must be true, false or null (computed from the window)")
        self.standin.set_can_reply(self._cid(), value)
        return Reply(200, {"conversation_id": self._cid(), "can_reply": value})

    def standin_arm_faults(self) -> Reply:
        body = self._json_body()
        specs = body["faults"] if "faults" in body else [body]
        if not isinstance(specs, list) or not specs:
            raise StandinError(400, "faults must be a non-empty list")
        try:
            faults = [Fault.from_json(spec) for spec in specs]  # all valid, or none armed
        except (ValueError, TypeError) as exc:
            raise StandinError(400, f"invalid fault: {exc}") from exc
        return Reply(201, {"armed": [self.standin.faults.arm(f).as_json() for f in faults]})

    def standin_list_faults(self) -> Reply:
        return Reply(200, {"armed": self.standin.faults.armed(), "applied": list(self.standin.faults.applied)})

    def standin_clear_faults(self) -> Reply:
        return Reply(200, self.standin.clear_faults())

    def standin_records(self) -> Reply:
        return Reply(200, self.standin.records())

    def standin_message_status(self) -> Reply:
        body = self._json_body()
        record = self.standin.receipt(int(self.params["mid"]), body.get("status"), body.get("external_error"))
        return Reply(200, {"message_id": int(self.params["mid"]), "webhook_status": record["status"]})

    def standin_list_templates(self) -> Reply:
        return Reply(200, {"message_templates": self.standin.message_templates})

    def standin_set_templates(self) -> Reply:
        templates = self._json_body().get("message_templates")
        try:
            return Reply(200, {"message_templates": self.standin.set_message_templates(templates)})
        except ValueError as exc:
            raise StandinError(400, str(exc)) from exc


def _make_handler(standin):
    return type("Handler", (StandinHandler,), {"standin": standin})


def _deliver_all(standin, payloads: list[dict]) -> None:
    for payload in payloads:
        standin.deliver(payload)


def _after_answer(fault) -> dict:
    answered = {"error_after": fault.status, "timeout_after": "late", "reset_after": "reset"}[fault.kind]
    return {"answered": answered, **({"seconds": fault.seconds} if fault.kind == "timeout_after" else {})}
