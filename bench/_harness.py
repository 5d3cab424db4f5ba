"""Shared helpers for benches that run the real processes: scratch database, children in their own process groups
(stopped on exit, also on error), loopback ports, percentiles, and database-query counting inside the children.

Worker tracking (bench/faults.py): with BENCH_WORKER_DIR set, each django-q2 worker process keeps a file named by
its pid in that directory saying which task it is running (`<func> <epoch>`) or `idle <epoch>`, so a fault suite
in another process can kill a worker while it is in the middle of a given task.

Query counting: the children load this module (`python -m _harness qcluster`, gunicorn `_harness:wsgi()`) with
BENCH_QUERY_KEY set; every new database connection gets an execute wrapper, and the count of each django-q2 task
or web request is added to a Redis hash (`<key>` field `<task or "web">` and `<...>:runs`) when it finishes.
Transactions too (`<...>:transactions`): each statement run in autocommit, and each COMMIT or ROLLBACK of an atomic
block (the connection's `commit` / `rollback` are wrapped).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"


# --- processes -------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:4]} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port} after {seconds} s")


class Children:
    """Child processes, each in its own session so the whole tree (gunicorn's or qcluster's workers) is stopped."""

    def __init__(self):
        self.procs: list[subprocess.Popen] = []

    def spawn(self, cmd: list[str], env: dict, log: Path | None = None) -> subprocess.Popen:
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed with the child)
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True, stdout=out, stderr=out)
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen, timeout: float = 15) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs)):
            self.stop(proc)

    def __enter__(self) -> "Children":
        # SIGTERM to the bench (e.g. `timeout`) must still stop the children: turn it into SystemExit.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the child's whole process group (a crash, not a shutdown: nothing gets to clean up)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _stat(pid: int) -> tuple[int, float] | None:
    """(ppid, CPU seconds of the process and of its children it has reaped) from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the comm: state ppid ... utime(12) stime(13) cutime(14) cstime(15), counted from "state" as 1.
    return int(fields[1]), sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(roots: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by each named group of process trees: the live processes below each root and what
    their reaped children used (a recycled django-q2 worker's CPU lives on in its parent's cutime)."""
    totals = {}
    for name, pids in roots.items():
        tree = set(pids) | descendants_of(set(pids))
        totals[name] = sum(stat[1] for stat in map(_stat, tree) if stat is not None)
    return totals


def descendants_of(pids: set[int]) -> set[int]:
    found: set[int] = set()
    for pid in pids:
        found |= descendants(pid)
    return found


def processes_named(comm: str) -> list[int]:
    """Live processes of this machine by command name (/proc/<pid>/comm)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == comm:
                    found.append(int(entry.name))
    return found


def postmaster_pid() -> int | None:
    """The PostgreSQL server's parent process (its backends are its children)."""
    return next((pid for pid in processes_named("postgres") if (_stat(pid) or (0,))[0] == 1), None)


def migrate(env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)


class JsonClient:
    """JSON over one keep-alive connection per thread, to a stand-in's control API (or any local JSON service)."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self._local = threading.local()

    def call(self, method: str, path: str, body=None, *, ok=(200, 201)):
        reused = getattr(self._local, "conn", None) is not None
        try:
            status, payload = self._request(method, path, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            # A kept-alive connection the server closed meanwhile (it restarted): the request never reached it.
            status, payload = self._request(method, path, body)
        if status not in ok:
            raise RuntimeError(f"{method} {path} on port {self.port}: {status} {payload}")
        return payload

    def _request(self, method: str, path: str, body):
        conn = getattr(self._local, "conn", None) or http.client.HTTPConnection("127.0.0.1", self.port,
                                                                                 timeout=self.timeout)
        self._local.conn = conn
        data = json.dumps(body).encode() if body is not None else None
        try:
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self._local.conn = None
            raise
        return response.status, json.loads(raw or b"null")


def ensure_database(db_url: str, *, fresh: bool = False) -> None:
    """Create the database if missing; `fresh` drops it first (a scratch database for one bench run)."""
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


# --- query counting inside the children ------------------------------------------------------------------------
_local = threading.local()


def _count_query(execute, sql, params, many, context):
    _local.queries = getattr(_local, "queries", 0) + 1
    if not context["connection"].in_atomic_block:  # autocommit: the statement is a transaction of its own
        _local.transactions = getattr(_local, "transactions", 0) + 1
    return execute(sql, params, many, context)


def _count_transaction(end):
    """An atomic block's COMMIT or ROLLBACK: its statements were one transaction."""
    def counted(*args, **kwargs):
        _local.transactions = getattr(_local, "transactions", 0) + 1
        return end(*args, **kwargs)
    counted.bench_counted = True
    return counted


def _on_connection(sender, connection, **kwargs):
    if _count_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_query)
    for name in ("commit", "rollback"):
        if not getattr(getattr(connection, name), "bench_counted", False):
            setattr(connection, name, _count_transaction(getattr(connection, name)))


def _start(label: str) -> None:
    _local.label, _local.queries, _local.transactions = label, 0, 0


def _flush() -> None:
    label, queries = getattr(_local, "label", None), getattr(_local, "queries", 0)
    if label is None:
        return
    _local.label = None
    pipe = _redis().pipeline()
    pipe.hincrby(os.environ["BENCH_QUERY_KEY"], label, queries)
    pipe.hincrby(os.environ["BENCH_QUERY_KEY"], f"{label}:runs", 1)
    pipe.hincrby(os.environ["BENCH_QUERY_KEY"], f"{label}:transactions", getattr(_local, "transactions", 0))
    pipe.execute()


def _redis():
    client = getattr(_local, "redis", None)
    if client is None:
        import redis

        client = _local.redis = redis.Redis.from_url(os.environ["REDIS_URL"])
    return client


def install_query_counter() -> None:
    """Call after django.setup() in a child process; no-op without BENCH_QUERY_KEY."""
    if not os.environ.get("BENCH_QUERY_KEY"):
        return
    from django.core.signals import request_finished, request_started
    from django.db import connections
    from django.db.backends.signals import connection_created
    from django_q.signals import post_execute_in_worker, pre_execute

    connection_created.connect(_on_connection, weak=False)
    for conn in connections.all(initialized_only=True):
        _on_connection(None, conn)
    housekeeping = _housekeeping_funcs()

    def task_label(task: dict) -> str:
        func = task.get("func") or "task"
        return f"{HOUSEKEEPING}{func}" if func in housekeeping else func

    pre_execute.connect(lambda sender, func, task, **kw: _start(task_label(task)), weak=False)
    post_execute_in_worker.connect(lambda sender, func, task, **kw: _flush(), weak=False)
    request_started.connect(lambda sender, **kw: _start("web"), weak=False)
    request_finished.connect(lambda sender, **kw: _flush(), weak=False)
    _count_ticker()


HOUSEKEEPING = "(housekeeping) "  # label prefix of what runs on a clock, not because a contact wrote


def _housekeeping_funcs() -> set[str]:
    """The apps' scheduled and ticked sweeps (`<app>/schedules.py`): they run whether anyone writes or not."""
    from core.schedules import collect_schedules
    from core.ticker import collect_ticks

    return set(collect_ticks()) | {schedule["func"] for schedule in collect_schedules()}


def _count_ticker() -> None:
    """The sweep ticker runs in a thread of each worker, outside any task: count its rounds under their own label
    (otherwise its statements go unattributed and its transactions land on the turns)."""
    import core.ticker

    tick_once = core.ticker.tick_once
    if getattr(tick_once, "bench_counted", False):
        return

    def counted():
        _start(f"{HOUSEKEEPING}core.ticker round")
        try:
            return tick_once()
        finally:
            _flush()

    counted.bench_counted = True
    core.ticker.tick_once = counted


# --- which task each worker runs (bench/faults.py) ----------------------------------------------------------------
def _note_task(text: str) -> None:
    path = Path(os.environ["BENCH_WORKER_DIR"]) / str(os.getpid())
    path.write_text(f"{text} {time.time():.3f}")


def install_worker_tracker() -> None:
    """Call in the qcluster process before it forks its workers; no-op without BENCH_WORKER_DIR."""
    if not os.environ.get("BENCH_WORKER_DIR"):
        return
    from django_q.signals import post_execute_in_worker, post_spawn, pre_execute

    post_spawn.connect(lambda sender, **kw: _note_task("idle"), weak=False)
    pre_execute.connect(lambda sender, func, task, **kw: _note_task(task.get("func") or "task"), weak=False)
    post_execute_in_worker.connect(lambda sender, func, task, **kw: _note_task("idle"), weak=False)


def worker_tasks(directory: Path, cluster_pid: int) -> dict[int, tuple[str, float]]:
    """pid → (task running or "idle", since when) for the live workers of the qcluster started as `cluster_pid`."""
    alive = descendants(cluster_pid)
    found = {}
    for path in directory.iterdir():
        if path.name.isdigit() and int(path.name) in alive:
            with contextlib.suppress(OSError, ValueError):
                task, since = path.read_text().rsplit(" ", 1)
                found[int(path.name)] = (task, float(since))
    return found


def wsgi():
    """gunicorn `_harness:wsgi()`: the project's WSGI application with query counting."""
    from config.wsgi import application

    install_query_counter()
    return application


def _qcluster() -> None:
    import django

    django.setup()
    install_query_counter()
    install_worker_tracker()
    from django.core.management import call_command

    call_command("qcluster")


if __name__ == "__main__" and sys.argv[1:] == ["qcluster"]:
    _qcluster()
