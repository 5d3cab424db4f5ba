"""The Chatwoot stand-in's state file: what it knows survives a restart, and its ids never go backwards.

Our service dedupes webhooks by Chatwoot ids (`message_created:<account>:<id>`), so a stand-in that started its
counters again after a restart would have every new message dropped as a duplicate. The file holds the id
counters and the contacts, conversations and messages the stand-in knows (so a reply to an old conversation still
works).

Two kinds of write, both atomic (a temp file in the same folder, fsync, rename):
- write-behind: a background thread writes the latest snapshot at most every `flush_interval` seconds while the
  state changes, so the request path never waits for the disk;
- id reservations: ids are handed out in blocks, and the block's ceiling is written *before* its first id is used.
  The file's counters are therefore always at or above any id ever handed out: after a crash (kill -9, power loss)
  the next run starts above them, at worst skipping the unused rest of a block.

One live stand-in per file: an exclusive `flock` on `<file>.lock` (released by the OS when the process dies).
The file names its `owner` (the database whose dedupe the ids must stay ahead of); a stand-in for another owner
keeps the counters but not the conversations, which that database has never seen.
No Django here: the stand-in runs anywhere.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Callable

from integrations.chatwoot.standin_http import StandinError

# fcntl is POSIX-only; without it (Windows) the single-writer guard is skipped, everything else works.
try:
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms we run
    fcntl = None

logger = logging.getLogger(__name__)
FORMAT = 1


class StateFileError(Exception):
    """The state file cannot be used: unreadable or not a stand-in state."""


class StateFileBusy(StateFileError):
    """Another live stand-in holds the file."""


class StateFile:
    """Atomic JSON snapshots of one stand-in, written behind its back or at once (`write_now`)."""

    def __init__(self, path: str | os.PathLike, *, flush_interval: float = 0.2):
        self.path = Path(path)
        self.flush_interval = flush_interval
        self._lock_file = None
        self._write_lock = threading.Lock()  # one rename at a time, newest snapshot wins
        self._written_seq = -1
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._snapshot: Callable[[], tuple[int, bytes]] | None = None
        self._thread: threading.Thread | None = None

    # --- opening and reading --------------------------------------------------------------------------------
    def acquire(self) -> None:
        """Create the folder and take the single-writer lock; a second live stand-in on this file is refused."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fcntl is None:
            return
        handle = open(self.path.with_name(self.path.name + ".lock"), "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            raise StateFileBusy(f"{self.path} is in use by another running Chatwoot stand-in") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle

    def load(self) -> dict | None:
        """The saved state, or None when there is no file yet. A damaged file is an error, never silently reset:
        starting over would hand out ids our database has already seen."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise StateFileError(f"{self.path} is not valid JSON ({exc}); move it away to start afresh") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("ids"), dict):
            raise StateFileError(f"{self.path} is not a Chatwoot stand-in state file (format {FORMAT})")
        return data

    # --- writing ----------------------------------------------------------------------------------------------
    def start(self, snapshot: Callable[[], tuple[int, bytes]]) -> None:
        """`snapshot()` returns (sequence number, JSON bytes) of the current state, taken under the owner's lock."""
        self._snapshot = snapshot
        self._thread = threading.Thread(target=self._write_behind, name="standin-state", daemon=True)
        self._thread.start()

    def changed(self) -> None:
        self._dirty.set()

    def write_now(self, seq: int, data: bytes) -> None:
        """Write this snapshot before returning (the caller holds its state lock, so nothing newer exists yet)."""
        self._write(seq, data)

    def close(self) -> None:
        """Stop the writer, write the final state, release the lock."""
        self._stop.set()
        self._dirty.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            if self._snapshot is not None:
                self._write(*self._snapshot())
        except OSError:  # the reservations already on disk keep the ids safe; only the latest changes are lost
            logger.exception("stand-in state: the final write of %s failed", self.path)
        finally:
            if self._lock_file is not None:
                self._lock_file.close()
                self._lock_file = None

    def _write_behind(self) -> None:
        while True:
            self._dirty.wait()
            if self._stop.is_set():
                return
            self._dirty.clear()
            try:
                self._write(*self._snapshot())
            except OSError:
                logger.exception("stand-in state: writing %s failed; will retry on the next change", self.path)
                self._dirty.set()
            self._stop.wait(self.flush_interval)  # debounce: a burst of changes costs one write per interval

    def _write(self, seq: int, data: bytes) -> None:
        with self._write_lock:
            if seq <= self._written_seq:
                return  # a newer snapshot is already on disk
            fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                _remove_quietly(tmp)
                raise
            _fsync_dir(self.path.parent)  # the rename itself must survive a power loss
            self._written_seq = seq


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows); the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


class PersistentState:
    """The stand-in's ids and what it knows, in memory or kept in a `StateFile`. Mixed into `ChatwootStandin`,
    which provides `conversations`, `contacts`, `_ids`, `_lock`, `state_path` and `state_owner`.

    Ids are reserved `ID_BLOCK` at a time; the saved counters are the reserved ceilings, so the file is always at
    or above every id handed out, whatever moment a crash catches it in."""

    ID_BLOCK = 1000  # one synchronous write (with fsync) per 1000 new ids; a crash skips at most that many

    def _open_state(self, state_path, id_floor: dict) -> None:
        self._seq, self._closed, self._state = 0, False, None
        if state_path:
            state = StateFile(state_path)
            state.acquire()
            try:
                self._restore(state.load())
            except (KeyError, TypeError, ValueError, StateFileError) as exc:
                state.close()  # releases the lock; nothing was written
                if isinstance(exc, StateFileError):
                    raise
                raise StateFileError(f"{state.path} does not hold a valid stand-in state: {exc!r}") from exc
            self._state = state
        for kind, floor in id_floor.items():
            self._ids[kind] = max(self._ids[kind], int(floor or 0))
        self._ceiling = dict(self._ids)  # nothing reserved yet: the first new id writes its block down
        if self._state is not None:
            self._state.start(self._snapshot)

    def _restore(self, data: dict | None) -> None:
        if data is None:
            return
        if data.get("owner") != self.state_owner:
            logger.warning("stand-in state %s belonged to %r, not %r: keeping its ids, not its conversations",
                           self.state_path, data.get("owner"), self.state_owner)
            data = {"ids": data["ids"]}
        by_id = {}
        for row in data.get("contacts", []):
            key = row.pop("key")
            self.contacts[key] = by_id[row["id"]] = row
        for row in data.get("conversations", []):
            row["contact"] = by_id[row["contact"]]
            self.conversations[row["id"]] = row
        seen = {"conversation": max(self.conversations, default=0),
                "contact": max(by_id, default=0),
                "message": max((m["id"] for c in self.conversations.values() for m in c["messages"]), default=0)}
        for kind in self._ids:
            self._ids[kind] = max(self._ids[kind], int(data["ids"].get(kind, 0)), seen[kind])

    def _snapshot(self) -> tuple[int, bytes]:
        """(version, JSON) of the whole state; the saved ids are the reserved ceilings, never below an id given.

        Only the copy is taken under the lock; the JSON is built outside it, so requests do not wait for it.
        Safe because records are only ever updated in place on keys they were created with (a dict that gains
        no key can be read while another thread assigns one)."""
        with self._lock:
            seq, data = self._seq, {
                "format": 1, "owner": self.state_owner, "ids": dict(self._ceiling),
                "contacts": [{"key": key, **contact} for key, contact in self.contacts.items()],
                "conversations": [{**conv, "contact": conv["contact"]["id"], "messages": list(conv["messages"])}
                                  for conv in self.conversations.values()],
            }
        return seq, json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()

    def _changed(self) -> None:
        """Caller holds the lock."""
        self._seq += 1
        if self._state is not None:
            self._state.changed()

    def _next(self, kind: str) -> int:
        """Caller holds the lock."""
        self._claim(kind, self._ids[kind] + 1)
        return self._ids[kind]

    def _claim(self, kind: str, value: int) -> None:
        """Caller holds the lock. Ids at or below `value` are taken; past the reserved block, reserve the next one
        and write it down before the id is used (a crash then never hands it out again)."""
        if self._closed:
            raise StandinError(503, "the stand-in is stopping")
        before = self._ids[kind], self._ceiling[kind]
        self._ids[kind] = max(self._ids[kind], value)
        if self._ids[kind] <= self._ceiling[kind]:
            return
        self._ceiling[kind] = self._ids[kind] + self.ID_BLOCK - 1
        self._seq += 1
        if self._state is None:
            return
        try:
            self._state.write_now(*self._snapshot())
        except OSError as exc:  # not written down, so not handed out: the request fails, as Chatwoot's would
            self._ids[kind], self._ceiling[kind] = before
            raise StandinError(500, f"the stand-in could not write its state: {exc}") from exc
