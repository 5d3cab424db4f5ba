"""The stand-in's wire protocols on 127.0.0.1: XML-RPC (`/xmlrpc/2/` int faults and legacy `/xmlrpc/` string
faults), JSON-RPC (`/jsonrpc`) and JSON-2 (`/json/2/<model>/<method>`, Odoo 19 only), all over one `OdooState`
(NOTES §7, §8), with the armed faults of `faults.FaultPlan` applied around each model call. `/standin/...` is the
control API for tests and fault suites (see `control.py`)."""

from __future__ import annotations

import json
import re
import socket
import struct
import time
import xmlrpc.client
from http.server import BaseHTTPRequestHandler

from integrations.odoo.standin import errors
from integrations.odoo.standin.faults import Fault, FaultPlan
from integrations.odoo.standin.state import OdooState

NOT_FOUND_HTML = (b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The "
                  b"requested URL was not found on the server. If you entered the URL manually please check your "
                  b"spelling and try again.</p>\n")
GARBAGE = b"<?xml version='1.0'?>\n<methodResponse><params><param><value><struct><member><name>trunc"


class DropConnection(Exception):
    """Reset the connection without an answer (a network failure, before or after the server did the work)."""


class HttpStatus(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class Garbage(Exception):
    """Answer 200 with a body no client can parse."""


class Handler(BaseHTTPRequestHandler):
    server_version = "Werkzeug/3.0"
    protocol_version = "HTTP/1.1"
    state: OdooState
    plan: FaultPlan
    control = None  # control.Control, bound by OdooStandin
    db_name = "standin"

    def log_message(self, *args):  # quiet in tests and `make run`
        pass

    def do_GET(self):
        if self.path in ("/web/version", "/json/version"):
            return self._json(200, self._version_info())
        if self.path.startswith("/standin/"):
            return self.control.handle(self, "GET", b"")
        self._json(404, {"error": "not found"})

    def do_DELETE(self):
        if self.path.startswith("/standin/"):
            return self.control.handle(self, "DELETE", b"")
        self._json(404, {"error": "not found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            self._route(body)
        except DropConnection:
            self._reset()

    def _route(self, body: bytes):
        path = self.path.rstrip("/")
        if path in ("/xmlrpc/2/common", "/xmlrpc/2/object", "/xmlrpc/common", "/xmlrpc/object"):
            return self._xmlrpc(body, service=path.rsplit("/", 1)[1], legacy="/2/" not in path)
        if path == "/jsonrpc":
            return self._jsonrpc(body)
        if path.startswith("/standin/"):
            return self.control.handle(self, "POST", body)
        match = re.fullmatch(r"/json/2/([\w.]+)/(\w+)", path)
        if match and self.state.version >= 19:
            return self._json2(body, match.group(1), match.group(2))
        if path.startswith("/json/2") and self.state.version < 19:
            # JSON-2 arrived with Odoo 19: older servers have no such route.
            return self._raw(404, NOT_FOUND_HTML, "text/html; charset=utf-8")
        self._json(404, {"error": "not found"})

    # --- shared ------------------------------------------------------------------------------------------------
    def _version_info(self) -> dict:
        v = self.state.version
        return {"server_version": f"{v}.0", "server_version_info": [v, 0, 0, "final", 0, ""],
                "server_serie": f"{v}.0", "protocol_version": 1, "version": f"{v}.0",
                "version_info": [v, 0, 0, "final", 0, ""]}

    def _common(self, method: str, args: list):
        if method == "version":
            return self._version_info()
        if method in ("login", "authenticate"):
            return self.state.login(*args[:3])
        if method == "about":
            return "See http://openerp.com"
        raise errors.ServerFault(f"AttributeError: {method}")

    def _object(self, uid: int, model: str, method: str, args: list, kwargs: dict):
        """Run one model call with the faults armed for it."""
        fired = self.plan.take(model, method)
        time.sleep(self.plan.latency + sum(f.seconds for f in fired if f.kind == "latency"))
        outcome = next((f for f in fired if f.kind != "latency"), None)
        if outcome and outcome.phase == "before":
            self._fail(outcome, committed=False)
        result = self.state.execute(uid, model, method, args, kwargs)
        if outcome:
            self._fail(outcome, committed=True)
        return result

    def _fail(self, fault: Fault, *, committed: bool) -> None:
        if fault.kind == "timeout":
            time.sleep(fault.seconds)
            if committed:
                return  # the answer goes out, too late for the client that gave up
            raise DropConnection()
        if fault.kind == "http":
            raise HttpStatus(fault.status)
        if fault.kind == "reset":
            raise DropConnection()
        if fault.kind == "garbage":
            raise Garbage()
        raise fault.exception()

    # --- XML-RPC -----------------------------------------------------------------------------------------------
    def _xmlrpc(self, body: bytes, *, service: str, legacy: bool):
        try:
            params, method = xmlrpc.client.loads(body, use_datetime=True)
            result = self._xmlrpc_call(service, method, list(params))
            try:
                payload = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
            except TypeError:
                # Odoo commits, then fails to marshal None (NOTES §3.4): the change stays, the client gets a fault.
                raise errors.ServerFault(errors.MARSHAL_NONE)
        except errors.StandinError as exc:
            code, string = exc.legacy_fault() if legacy else exc.int_fault()
            payload = xmlrpc.client.dumps(xmlrpc.client.Fault(code, string), methodresponse=True)
        except HttpStatus as exc:
            return self._raw(exc.status, b"<html>Service Unavailable</html>", "text/html")
        except Garbage:
            return self._raw(200, GARBAGE, "text/xml; charset=utf-8")
        self._raw(200, payload.encode(), "text/xml; charset=utf-8")

    def _xmlrpc_call(self, service: str, method: str, params: list):
        if service == "common":
            return self._common(method, params)
        if method == "execute_kw":
            db, uid, password, model, meth, args, *rest = params
            self.state.check_uid(uid, password)
            return self._object(uid, model, meth, args, rest[0] if rest else {})
        if method == "execute":
            db, uid, password, model, meth, *args = params
            self.state.check_uid(uid, password)
            return self._object(uid, model, meth, args, {})
        raise errors.ServerFault(f"AttributeError: object has no method {method}")

    # --- JSON-RPC ----------------------------------------------------------------------------------------------
    def _jsonrpc(self, body: bytes):
        request = json.loads(body or b"{}")
        params = request.get("params") or {}
        reply = {"jsonrpc": "2.0", "id": request.get("id")}
        try:
            args = list(params.get("args") or [])
            if params.get("service") == "common":
                result = self._common(params.get("method"), args)
            else:
                db, uid, password, model, meth, margs, *rest = args
                self.state.check_uid(uid, password)
                result = self._object(uid, model, meth, margs, rest[0] if rest else {})
            if result is not None:  # Odoo omits `result` for None (NOTES §7.4)
                reply["result"] = result
        except errors.StandinError as exc:
            reply["error"] = {"code": 0 if self.state.version >= 19 else 200, "message": "Odoo Server Error",
                              "data": self._error_data(exc)}
        except HttpStatus as exc:
            return self._raw(exc.status, b"<html>Bad Gateway</html>", "text/html")
        except Garbage:
            return self._raw(200, b'{"jsonrpc": "2.0", "id": ', "application/json")
        self._json(200, reply)

    @staticmethod
    def _error_data(exc: errors.StandinError) -> dict:
        return {"name": exc.name, "message": exc.message, "arguments": [exc.message], "context": {},
                "debug": f"Traceback (most recent call last):\n{exc.name}: {exc.message}"}

    # --- JSON-2 ------------------------------------------------------------------------------------------------
    def _json2(self, body: bytes, model: str, method: str):
        auth = self.headers.get("Authorization") or ""
        try:
            uid = self.state.uid_for_key(auth.split(" ", 1)[1] if " " in auth else "")
            data = json.loads(body or b"{}")
            args, kwargs = _json2_args(method, data)
            result = self._object(uid, model, method, args, kwargs)
        except errors.StandinError as exc:
            return self._json(exc.http_status, exc.json2_body())
        except HttpStatus as exc:
            return self._raw(exc.status, b"<html>Bad Gateway</html>", "text/html")
        except Garbage:
            return self._raw(200, b'{"result": [1, 2', "application/json")
        self._json(200, result)

    # --- raw ---------------------------------------------------------------------------------------------------
    def _json(self, status: int, data):
        self._raw(status, json.dumps(data).encode(), "application/json")

    def _raw(self, status: int, body: bytes, content_type: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send a TCP RST: the client sees "connection reset by peer".
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass  # already closed by the client
        self.connection.close()


def _json2_args(method: str, data: dict) -> tuple[list, dict]:
    """JSON-2 sends every parameter by name; `ids` is the recordset (NOTES §7.2)."""
    data = dict(data)
    if method == "create":
        return [data.pop("vals_list", [])], data
    if "ids" in data:
        return [data.pop("ids")], data
    return [], data
