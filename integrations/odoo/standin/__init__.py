"""A real Odoo stand-in server for development (`manage.py odoo_standin`), tests and `make run`.

    standin = OdooStandin(version=19).start()      # port 0 → a free port; .url is http://127.0.0.1:<port>
    standin.state                                  # OdooState: tables, .receive(order_id), .set_double_validation()
    standin.fail_next("access", method="create", model="purchase.order")  # also validation, missing, generic, denied, http500, http503,
                                                   # slow (seconds=…), reset (drop before), drop_after (drop after
                                                   # the server did the work)
    standin.latency = 0.05                         # seconds added to every model call
    standin.down(); standin.up()                   # connection refused, then back on the same port
"""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer

from integrations.odoo.standin.server import Handler, Injector
from integrations.odoo.standin.state import OdooState

__all__ = ["OdooStandin", "OdooState"]


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that timed out (or a dropped connection we injected) closed the socket first: expected here.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class OdooStandin:
    def __init__(self, *, version: int = 17, host: str = "127.0.0.1", port: int = 0, seed: bool = True):
        self.state = OdooState(version, seed=seed)
        self.injector = Injector()
        self.host, self.port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def latency(self) -> float:
        return self.injector.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.injector.latency = float(seconds)

    def fail_next(self, kind: str, *, count: int = 1, method: str | None = None, model: str | None = None,
                  seconds: float = 1.0) -> None:
        with self.injector.lock:
            self.injector.pending.append({"kind": kind, "count": count, "method": method, "model": model,
                                          "seconds": seconds})

    def start(self) -> "OdooStandin":
        handler = type("BoundHandler", (Handler,), {"state": self.state, "injector": self.injector})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="odoo-standin", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.start()
        self._thread.join()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def down(self) -> None:
        """Stop listening: clients get connection refused until `up()`."""
        self.stop()

    def up(self) -> "OdooStandin":
        return self.start()
