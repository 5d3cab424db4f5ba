"""odoolib connectors with explicit timeouts (NOTES.md §1.4, §1.6, §10).

odoolib builds a bare `ServerProxy(url)` per XML-RPC call (no timeout: a hung Odoo blocks the worker forever) and
posts JSON-RPC with httpx's implicit 5 s. We keep odoolib's `Connection`/`Model` (login, execute_kw) and swap the
connectors' `send` for one with our timeout. XML-RPC also goes to `/xmlrpc/2/` for integer fault codes, and its
transport sends each request exactly once: `xmlrpc.client` silently re-sends on a connection reset, which can
create a record twice when Odoo had already committed (NOTES §10). JSON-RPC and JSON-2 post through one httpx
client per connection (our timeout, no client built per call, no keep-alive).
"""

from __future__ import annotations

import http.client
import random
import xmlrpc.client

import httpx
import odoolib
import odoolib.json2
from odoolib.tools import AuthenticationError, JsonRPCException

_MISSING = object()


class TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float, *, secure: bool = False):
        super().__init__(use_datetime=True)
        self.timeout = timeout
        self.secure = secure

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        chost, self._extra_headers, x509 = self.get_host_info(host)
        cls = http.client.HTTPSConnection if self.secure else http.client.HTTPConnection
        self._connection = host, cls(chost, timeout=self.timeout)
        return self._connection[1]

    def request(self, host, handler, request_body, verbose=False):
        # One attempt only: no silent re-send after a reset (see module docstring).
        try:
            return self.single_request(host, handler, request_body, verbose)
        except BaseException:
            self.close()
            raise


class XmlRpcConnector(odoolib.XmlRPCConnector):
    def __init__(self, hostname: str, port: int, *, timeout: float, secure: bool = False):
        super().__init__(hostname, port)
        scheme = "https" if secure else "http"
        self.url = f"{scheme}://{hostname}:{port}/xmlrpc/2"
        self.timeout, self.secure = timeout, secure

    def send(self, service_name, method, *args):
        proxy = xmlrpc.client.ServerProxy(
            f"{self.url}/{service_name}", allow_none=True,
            transport=TimeoutTransport(self.timeout, secure=self.secure))
        return getattr(proxy, method)(*args)


class JsonRpcConnector(odoolib.JsonRPCConnector):
    def __init__(self, hostname: str, port: int, *, timeout: float, secure: bool = False):
        super().__init__(hostname, port)
        self.url = f"{'https' if secure else 'http'}://{hostname}:{port}/jsonrpc"
        self.timeout = timeout
        # One client per connector: `httpx.post` builds a client (and its TLS context) per call, ~25 ms each. No
        # keep-alive, so every call is a fresh connection as before (an Odoo restart never meets a stale socket).
        self.http = httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0))

    def send(self, service_name, method, *args):
        body = {"jsonrpc": "2.0", "method": "call", "id": random.randint(0, 10**9),
                "params": {"service": service_name, "method": method, "args": args}}
        response = self.http.post(self.url, json=body)
        response.raise_for_status()
        data = response.json()
        if data.get("error"):
            raise JsonRPCException(data["error"])
        # Odoo omits `result` when the method returned None (NOTES §7.4); odoolib turns that into False.
        return data.get("result")


def server_version(hostname: str, port: int, *, secure: bool, timeout: float) -> tuple[int, str] | None:
    """The server's (major, "17.0") from XML-RPC `common.version`: no login needed, served by Odoo 17 to 21 whatever
    protocol the client otherwise speaks. None when nothing answers it."""
    proxy = xmlrpc.client.ServerProxy(f"{'https' if secure else 'http'}://{hostname}:{port}/xmlrpc/2/common",
                                      transport=TimeoutTransport(timeout, secure=secure))
    try:
        info = proxy.version()
        major = int((info.get("server_version_info") or [0])[0])
    except (OSError, xmlrpc.client.Error, http.client.HTTPException, ValueError, TypeError, AttributeError):
        return None
    return major, str(info.get("server_version") or major)


class Json2Model(odoolib.json2.JsonModel):
    """odoolib's JSON-2 model with the same answers and exceptions, posting through its connection's own client:
    odoolib calls `httpx.post` (a new client per call) with a module-wide timeout. Named parameters only: positional
    ones would need odoolib's introspection route, which most users may not read (NOTES §1.2)."""

    def __getattr__(self, method):
        if method.startswith("__"):
            raise AttributeError(method)

        def proxy(**params):
            response = self.connection.http.post(self._url(method), headers=self.connection.bearer_header,
                                                 json=params)
            if response.status_code == 401:
                raise AuthenticationError("Authentication failed. Please check your API key.")
            if response.status_code == 422:
                raise ValueError(f"Invalid request: {response.text} for data {params}")
            if response.status_code != 200:
                raise ValueError(f"Unexpected status code {response.status_code}: {response.text}")
            return response.json()

        return proxy


class Json2Connection(odoolib.json2.Json2Connection):
    def __init__(self, connector, database: str, api_key: str, *, timeout: float):
        super().__init__(connector, database, api_key)
        self.http = httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0))

    def get_model(self, model_name):
        return Json2Model(self, model_name)


def json2_connection(hostname: str, port: int, *, database: str, api_key: str, timeout: float, secure: bool):
    connector_cls = odoolib.json2.Json2SConnector if secure else odoolib.json2.Json2Connector
    return Json2Connection(connector_cls(hostname, port), database, api_key, timeout=timeout)


def connection(*, protocol: str, hostname: str, port: int, database: str, login: str, password: str,
               timeout: float):
    secure = protocol in ("xmlrpcs", "jsonrpcs", "json2s")
    if protocol.startswith("json2"):
        return json2_connection(hostname, port, database=database, api_key=password, timeout=timeout,
                                secure=secure)
    connector_cls = {"xmlrpc": XmlRpcConnector, "jsonrpc": JsonRpcConnector}[protocol.rstrip("s")]
    connector = connector_cls(hostname, port, timeout=timeout, secure=secure)
    return odoolib.Connection(connector, database, login, password)
