"""odoolib connectors with explicit timeouts (NOTES.md §1.4, §1.6, §10).

odoolib builds a bare `ServerProxy(url)` per XML-RPC call (no timeout: a hung Odoo blocks the worker forever) and
posts JSON-RPC with httpx's implicit 5 s. We keep odoolib's `Connection`/`Model` (login, execute_kw) and swap the
connectors' `send` for one with our timeout. XML-RPC also goes to `/xmlrpc/2/` for integer fault codes, and its
transport sends each request exactly once: `xmlrpc.client` silently re-sends on a connection reset, which can
create a record twice when Odoo had already committed (NOTES §10).
"""

from __future__ import annotations

import http.client
import random
import xmlrpc.client

import httpx
import odoolib
import odoolib.json2
from odoolib.tools import JsonRPCException

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

    def send(self, service_name, method, *args):
        body = {"jsonrpc": "2.0", "method": "call", "id": random.randint(0, 10**9),
                "params": {"service": service_name, "method": method, "args": args}}
        response = httpx.post(self.url, json=body, timeout=self.timeout)
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


def json2_connection(hostname: str, port: int, *, database: str, api_key: str, timeout: float, secure: bool):
    connector_cls = odoolib.json2.Json2SConnector if secure else odoolib.json2.Json2Connector
    # odoolib reads its JSON-2 timeout from this module constant (default 60 s); every client in a process shares
    # ODOO_TIMEOUT, so setting it here is safe.
    odoolib.json2.DEFAULT_TIMEOUT = timeout
    return odoolib.json2.Json2Connection(connector_cls(hostname, port), database, api_key)


def connection(*, protocol: str, hostname: str, port: int, database: str, login: str, password: str,
               timeout: float):
    secure = protocol in ("xmlrpcs", "jsonrpcs", "json2s")
    if protocol.startswith("json2"):
        return json2_connection(hostname, port, database=database, api_key=password, timeout=timeout,
                                secure=secure)
    connector_cls = {"xmlrpc": XmlRpcConnector, "jsonrpc": JsonRpcConnector}[protocol.rstrip("s")]
    connector = connector_cls(hostname, port, timeout=timeout, secure=secure)
    return odoolib.Connection(connector, database, login, password)
