"""Faults the stand-in can be told to apply to its next model calls, for tests and for an external fault suite.

A fault is armed for the next `count` calls that match `model` and `method` (None matches any), and fires in one
`phase`: `before` the call changes anything (Odoo never got to commit) or `after` it committed (and saved the
state file). What the client then sees:

| kind | before (nothing done) | after (done, saved) |
| --- | --- | --- |
| `http` | HTTP `status` (500…) | then HTTP `status` |
| `reset` | the connection is reset | then the connection is reset, no answer |
| `timeout` | held `seconds`, dropped, rolled back (a worker killed at limit_time_real) | the answer `seconds` late |
| `fault` | an Odoo error: `error` = server, user, validation, access, missing, denied | then that error |
| `garbage` | a 200 answer nobody can parse | then that answer |
| `latency` | the call waits `seconds` first | — |

An `after` fault is how a post-commit failure looks to a client (like the "cannot marshal None" fault).

`down` is not per call: the stand-in stops listening for `seconds` (connection refused), then comes back on the same
port. Every fault that fires is recorded in `applied`, in order.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import asdict, dataclass, field

from integrations.odoo.standin import errors

KINDS = ("http", "reset", "timeout", "fault", "garbage", "latency", "down")
PHASES = ("before", "after")
ERRORS = {
    "server": lambda msg: errors.ServerFault(msg or "KeyError: 'injected'"),
    "user": lambda msg: errors.UserError(msg or "Injected user error"),
    "validation": lambda msg: errors.ValidationError(
        msg or "The operation cannot be completed: injected validation error"),
    "access": lambda msg: errors.AccessError(msg or (
        "You are not allowed to create 'Purchase Order' (purchase.order) records.\n\nThis operation is allowed "
        "for the following groups:\n\t- Purchase/User\n\nContact your administrator to request access if necessary.")),
    "missing": lambda msg: errors.MissingError(
        msg or "Record does not exist or has been deleted.\n(Record: purchase.order(999,), User: 2)"),
    "denied": lambda msg: errors.AccessDenied(),
}
# The names `fail_next` has always accepted → the fault they mean.
LEGACY = {
    "access": {"kind": "fault", "phase": "before", "error": "access"},
    "validation": {"kind": "fault", "phase": "before", "error": "validation"},
    "missing": {"kind": "fault", "phase": "before", "error": "missing"},
    "generic": {"kind": "fault", "phase": "before", "error": "server"},
    "denied": {"kind": "fault", "phase": "before", "error": "denied"},
    "http500": {"kind": "http", "phase": "before", "status": 500},
    "http502": {"kind": "http", "phase": "before", "status": 502},
    "http503": {"kind": "http", "phase": "before", "status": 503},
    "slow": {"kind": "latency", "phase": "before"},
    "reset": {"kind": "reset", "phase": "before"},
    "drop_after": {"kind": "reset", "phase": "after"},
}


class FaultError(ValueError):
    """A fault that cannot be armed (the control endpoint answers 400 with the message)."""


@dataclass
class Fault:
    kind: str
    phase: str = "after"
    model: str | None = None
    method: str | None = None
    count: int = 1
    status: int = 500
    seconds: float = 1.0
    error: str = "server"
    message: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise FaultError(f"unknown fault kind {self.kind!r}; one of {', '.join(KINDS)}")
        if self.phase not in PHASES:
            raise FaultError(f"unknown phase {self.phase!r}; one of before, after")
        if self.kind == "fault" and self.error not in ERRORS:
            raise FaultError(f"unknown error {self.error!r}; one of {', '.join(ERRORS)}")
        if self.kind == "http" and not 400 <= int(self.status) <= 599:
            raise FaultError(f"status {self.status!r} is not an HTTP error status")
        if int(self.count) < 1 or float(self.seconds) < 0:
            raise FaultError("count must be >= 1 and seconds >= 0")
        self.count, self.status, self.seconds = int(self.count), int(self.status), float(self.seconds)

    def matches(self, model: str, method: str) -> bool:
        return self.model in (None, model) and self.method in (None, method)

    def exception(self) -> errors.StandinError:
        return ERRORS[self.error](self.message)

    @classmethod
    def from_dict(cls, data: dict) -> "Fault":
        if not isinstance(data, dict):
            raise FaultError("a fault is a JSON object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise FaultError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            raise FaultError(str(exc)) from exc


@dataclass
class FaultPlan:
    """Armed faults, consumed in order; `latency` is added to every model call (seconds)."""

    armed: list[Fault] = field(default_factory=list)
    applied: list[dict] = field(default_factory=list)
    latency: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, fault: Fault) -> Fault:
        with self.lock:
            self.armed.append(fault)
        return fault

    def arm_legacy(self, name: str, **options) -> Fault:
        if name not in LEGACY:
            raise FaultError(f"unknown fault {name!r}")
        return self.arm(Fault(**{**LEGACY[name], **options}))

    def take(self, model: str, method: str) -> list[Fault]:
        """The faults that fire on this call (each armed one counts down), recorded as applied."""
        fired = []
        with self.lock:
            for fault in list(self.armed):
                if fault.kind == "down" or not fault.matches(model, method):
                    continue
                if fault.kind != "latency" and any(f.kind != "latency" for f in fired):
                    continue  # one outcome per call; the next matching call gets the next fault
                fired.append(fault)
                fault.count -= 1
                if fault.count <= 0:
                    self.armed.remove(fault)
            self.applied.extend(self._record(f, model, method) for f in fired)
        return fired

    def record_down(self, fault: Fault) -> None:
        with self.lock:
            self.applied.append(self._record(fault, None, None))

    def clear(self) -> None:
        with self.lock:
            self.armed.clear()
            self.applied.clear()

    def describe(self) -> dict:
        with self.lock:
            return {"armed": [asdict(f) for f in self.armed], "applied": list(self.applied),
                    "latency": self.latency}

    @staticmethod
    def _record(fault: Fault, model, method) -> dict:
        details = {"status": fault.status} if fault.kind == "http" else {}
        if fault.kind == "fault":
            details["error"] = fault.error
        if fault.kind in ("timeout", "latency", "down"):
            details["seconds"] = fault.seconds
        return {"kind": fault.kind, "phase": fault.phase, "model": model, "method": method, **details,
                "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")}
