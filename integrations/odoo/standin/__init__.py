"""A real Odoo stand-in server for development (`manage.py odoo_standin`), tests and `make run`.

    standin = OdooStandin(version=19).start()      # port 0 → a free port; .url is http://127.0.0.1:<port>
    standin = OdooStandin(state_file=path)         # records and sequences survive restarts (persist.py)
    standin = OdooStandin(apps={"purchase"})       # a database without the Sales app
    standin.state                                  # OdooState: tables, .receive(id, {line: qty}), .deliver(...),
                                                   # .set_double_validation(), .add_user(), .reserve_order_ids()
    standin.arm(kind="timeout", phase="after", model="purchase.order", method="create", seconds=3)
    standin.faults.applied                         # what fired (faults.py has the kinds and phases)
    standin.fail_next("access", method="create")   # the older names: validation, missing, generic, denied,
                                                   # http500/502/503, slow (seconds=…), reset, drop_after
    standin.latency = 0.05                         # seconds added to every model call
    standin.down(); standin.up()                   # connection refused, then back on the same port

The same faults, deliveries and receipts over HTTP: `control.py` (`POST /standin/faults`, ...).
"""

from __future__ import annotations

import sys
import threading
from http.server import ThreadingHTTPServer

from integrations.odoo.standin.control import Control
from integrations.odoo.standin.faults import Fault, FaultPlan
from integrations.odoo.standin.persist import StateFile, StateFileError, StateFileInUse
from integrations.odoo.standin.schema import APPS
from integrations.odoo.standin.server import Handler
from integrations.odoo.standin.state import OdooState

__all__ = ["OdooStandin", "OdooState", "StateFileError", "StateFileInUse"]


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that timed out (or a connection we reset on purpose) closed the socket first: expected here.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class OdooStandin:
    def __init__(self, *, version: int = 17, host: str = "127.0.0.1", port: int = 0, seed: bool = True,
                 state_file=None, apps=APPS):
        self.faults = FaultPlan()
        self.host, self.port = host, port
        self._file = StateFile(state_file) if state_file else None
        self.state = self._open_state(int(version), seed, frozenset(apps))
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _open_state(self, version: int, seed: bool, apps: frozenset) -> OdooState:
        if self._file is None:
            return OdooState(version, seed=seed, apps=apps)
        self._file.acquire()
        try:
            data = self._file.read()
            state = _restore(data, version, apps, self._file.path) if data else OdooState(version, seed=seed, apps=apps)
        except BaseException:
            self._file.release()
            raise
        state.on_change = self._save
        self._save(state)
        return state

    def _save(self, state: OdooState) -> None:
        with state.lock:
            self._file.write({"version": state.version, "apps": sorted(state.apps),
                              "users": {login: list(entry) for login, entry in state.users.items()}, **state.dump()})

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def latency(self) -> float:
        return self.faults.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.faults.latency = float(seconds)

    def arm(self, **fault) -> Fault:
        """Arm one fault (see `faults.py`); `kind="down"` takes the stand-in down for `seconds` at once."""
        spec = Fault(**fault)
        if spec.kind == "down":
            return self.down_for(spec)
        return self.faults.arm(spec)

    def fail_next(self, kind: str, *, count: int = 1, method: str | None = None, model: str | None = None,
                  seconds: float = 1.0) -> None:
        self.faults.arm_legacy(kind, count=count, method=method, model=model, seconds=seconds)

    def start(self) -> "OdooStandin":
        handler = type("BoundHandler", (Handler,), {"state": self.state, "plan": self.faults,
                                                    "control": Control(self)})
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

    def close(self) -> None:
        """Stop serving and let another process open the state file."""
        self.stop()
        if self._file is not None:
            self._file.release()

    def down(self) -> None:
        """Stop listening: clients get connection refused until `up()`."""
        self.stop()

    def up(self) -> "OdooStandin":
        return self.start()

    def down_for(self, fault: Fault) -> Fault:
        """Down now, up again after `fault.seconds` (from a control request: answer first, then go down)."""
        self.faults.record_down(fault)

        def cycle():
            self.down()
            threading.Event().wait(fault.seconds)
            self.up()

        threading.Thread(target=cycle, name="odoo-standin-down", daemon=True).start()
        return fault


def _restore(data: dict, version: int, apps: frozenset, path) -> OdooState:
    if int(data.get("version") or 0) != version:
        raise StateFileError(f"{path} holds an Odoo {data.get('version')} stand-in, not {version}: start it with "
                             f"--version {data.get('version')}, or move the file away to start afresh")
    if frozenset(data.get("apps") or APPS) != apps:
        raise StateFileError(f"{path} was written with the apps {sorted(data.get('apps') or APPS)}, not "
                             f"{sorted(apps)}: use the same apps, or move the file away to start afresh")
    state = OdooState(version, seed=False, apps=apps)
    state.load(data)
    state.users = {login: (entry[0], int(entry[1])) for login, entry in (data.get("users") or {}).items()}
    return state
