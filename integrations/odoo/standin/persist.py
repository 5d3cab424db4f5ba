"""The stand-in's state file: every record and sequence, as JSON, so a restarted stand-in carries on where it was.

- Written after every change and BEFORE the answer leaves, atomically (a temporary file in the same directory,
  fsync, rename, fsync of the directory): a crash leaves the previous state or the new one, never half of one,
  and whatever a client was told exists is on disk. Ids therefore never go back to one a client has seen.
- One process at a time: an exclusive lock on `<file>.lock`, held while the stand-in lives (two writers would
  lose each other's orders).
- A file that cannot be read stops the start instead of being re-seeded: re-seeding would restart the numbering.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

FORMAT = 1


class StateFileError(RuntimeError):
    """The state file cannot be used; the message says what to do."""


class StateFileInUse(StateFileError):
    pass


class StateFile:
    def __init__(self, path):
        self.path = Path(path)
        self._lock = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(self.path.with_name(self.path.name + ".lock"), "a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise StateFileInUse(f"{self.path} is in use by another Odoo stand-in (is `make run` running?)") from None
        self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the descriptor drops the lock
            self._lock = None

    def read(self) -> dict | None:
        if not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StateFileError(f"cannot read the Odoo stand-in state {self.path} ({exc}); move it away to start "
                                 "afresh (order numbering then restarts)") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise StateFileError(f"{self.path} is not an Odoo stand-in state file of format {FORMAT}")
        return data

    def write(self, data: dict) -> None:
        payload = json.dumps({"format": FORMAT, **data}, ensure_ascii=False, separators=(",", ":"))
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself must survive a power cut
        finally:
            os.close(directory)
