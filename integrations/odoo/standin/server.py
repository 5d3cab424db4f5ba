"""The stand-in's wire protocols on 127.0.0.1: XML-RPC (`/xmlrpc/2/` int faults and legacy `/xmlrpc/` string
faults), JSON-RPC (`/jsonrpc`) and JSON-2 (`/json/2/<model>/<method>`), all over one `OdooState` (NOTES §7, §8)."""

from __future__ import annotations

import json
import re
import threading
import time
import xmlrpc.client
from http.server import BaseHTTPRequestHandler

from integrations.odoo.standin import errors
from integrations.odoo.standin.state import OdooState

INJECTED = {
    "access": lambda: errors.AccessError(
        "You are not allowed to create 'Purchase Order' (purchase.order) records.\n\nThis operation is allowed "
        "for the following groups:\n\t- Purchase/User\n\nContact your administrator to request access if necessary."),
    "validation": lambda: errors.ValidationError("The operation cannot be completed: injected validation error"),
    "missing": lambda: errors.MissingError("Record does not exist or has been deleted.\n(Record: purchase.order(999,), User: 2)"),
    "generic": lambda: errors.ServerFault("KeyError: 'injected'"),
    "denied": lambda: errors.AccessDenied(),
}


class Injector:
    """Failure and latency injection shared by every protocol (only model calls, not login/version)."""

    def __init__(self):
        self.pending: list[dict] = []
        self.latency = 0.0
        self.lock = threading.Lock()

    def take(self, model: str, method: str) -> dict | None:
        with self.lock:
            for i, spec in enumerate(self.pending):
                if spec.get("method") in (None, method) and spec.get("model") in (None, model):
                    spec["count"] -= 1
                    if spec["count"] <= 0:
                        self.pending.pop(i)
                    return spec
        return None


class DropConnection(Exception):
    """Close the socket without an answer (a network failure, before or after the server did the work)."""


class Handler(BaseHTTPRequestHandler):
    server_version = "Werkzeug/3.0"
    protocol_version = "HTTP/1.1"
    state: OdooState
    injector: Injector
    db_name = "standin"

    def log_message(self, *args):  # quiet in tests and `make run`
        pass

    def do_GET(self):
        if self.path in ("/web/version", "/json/version"):
            return self._json(200, self._version_info())
        self._json(404, {"error": "not found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            self._route(body)
        except DropConnection:
            self.close_connection = True
            self.connection.close()

    def _route(self, body: bytes):
        path = self.path.rstrip("/")
        if path in ("/xmlrpc/2/common", "/xmlrpc/2/object", "/xmlrpc/common", "/xmlrpc/object"):
            return self._xmlrpc(body, service=path.rsplit("/", 1)[1], legacy="/2/" not in path)
        if path == "/jsonrpc":
            return self._jsonrpc(body)
        match = re.fullmatch(r"/json/2/([\w.]+)/(\w+)", path)
        if match:
            return self._json2(body, match.group(1), match.group(2))
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

    def _object(self, uid: int, model: str, method: str, args: list, kwargs: dict, after=None):
        """Run one model call with injection; `after(result)` writes the response before a drop-after fault."""
        spec = self.injector.take(model, method)
        if self.injector.latency:
            time.sleep(self.injector.latency)
        if spec:
            self._pre_inject(spec)
        result = self.state.execute(uid, model, method, args, kwargs)
        if spec and spec["kind"] == "drop_after":
            raise DropConnection()
        return result

    def _pre_inject(self, spec: dict):
        kind = spec["kind"]
        if kind == "slow":
            time.sleep(spec.get("seconds", 1.0))
        elif kind == "reset":
            raise DropConnection()
        elif kind.startswith("http"):
            raise HttpStatus(int(kind[4:] or 500))
        elif kind in INJECTED:
            raise INJECTED[kind]()

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
            return self._json(exc.http_status, self._error_data(exc))
        except HttpStatus as exc:
            return self._raw(exc.status, b"<html>Bad Gateway</html>", "text/html")
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


class HttpStatus(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def _json2_args(method: str, data: dict) -> tuple[list, dict]:
    """JSON-2 sends every parameter by name; `ids` is the recordset (NOTES §7.2)."""
    data = dict(data)
    if method == "create":
        return [data.pop("vals_list", [])], data
    if "ids" in data:
        return [data.pop("ids")], data
    return [], data
