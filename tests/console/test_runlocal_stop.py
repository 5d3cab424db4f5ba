"""`make run` stopped by closing its terminal (SIGHUP) or by `kill` (SIGTERM) stops every process it started, as
Ctrl-C does: its children run in sessions of their own, so nothing else would, and the next start would find an
old worker still taking tasks from the same database."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0])
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def runlocal(tmp_path):
    # A newcomer's shell, not this test process's environment (other tests leave variables in it).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="",
               STANDIN_STATE_DIR=str(tmp_path / "standin"), CHATWOOT_STANDIN_PORT=str(_free_port()),
               ODOO_STANDIN_PORT=str(_free_port()), ADMIN_PASSWORD="x", LOG_LEVEL="WARNING",
               PYTHONUNBUFFERED="1")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
    proc = subprocess.Popen([sys.executable, "manage.py", "runlocal", "--port", str(_free_port())], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    proc.started = set()
    yield proc
    if proc.poll() is None:
        proc.kill()
    for pid in proc.started:  # what a failed stop left behind must not outlive the test
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _wait_until_serving(proc: subprocess.Popen, seconds: float = 60) -> None:
    """Until runlocal prints its banner; fails (never hangs) if it exits or stays silent."""
    deadline, seen = time.monotonic() + seconds, b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        chunk = os.read(proc.stdout.fileno(), 65536) if ready else b""
        seen += chunk
        if b"Serving on" in seen:
            return
        if ready and not chunk:
            pytest.fail(f"runlocal exited with {proc.wait()}: {seen.decode(errors='replace')[-2000:]}")
    pytest.fail(f"runlocal did not come up in {seconds} s: {seen.decode(errors='replace')[-2000:]}")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_closing_the_terminal_or_kill_stops_web_worker_and_stand_ins(runlocal, signum):
    _wait_until_serving(runlocal)
    started = runlocal.started = _children(runlocal.pid)
    assert len(started) >= 4  # the two stand-ins, the worker and the web server
    runlocal.send_signal(signum)
    assert runlocal.wait(timeout=30) == 0
    deadline = time.monotonic() + 5
    while any(map(_alive, started)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in started if _alive(pid)]
