"""Turn latency benchmark: 20 conversations at once, webhook accepted → reply received by the Chatwoot stand-in.

    .venv/bin/python bench/turns.py [--conversations 20] [--windows 0.5,0] [--q-workers 2] [--seconds 240]

Real processes on loopback: a scratch PostgreSQL database (--database, default
postgres://postgres@127.0.0.1:5432/bench_turns, DROPPED, created and migrated), gunicorn serving our app (DEBUG off), a
`manage.py qcluster` worker on the Redis broker (--redis, default redis://127.0.0.1:6379/11, FLUSHED at start),
and `manage.py chatwoot_standin` delivering signed webhooks to gunicorn and recording what the bot sent. Rules
routing only (no OPENAI_API_KEY). Each simulated contact writes a short Spanish sequence, waiting for the answer
and a pause (mean --pause, 2 s: a person reading and typing) before the next message; --pause 0.4 saturates a
2-CPU machine (the closed loop then measures queueing, ~19 turns/s there). Latency = the stand-in received the
first reply − our webhook answered 200 for the contact's message (both stamped by the stand-in, so client polling
does not count).

One phase per AGENT_BURST_WINDOW value (the worker is restarted with it): 0.5 s is the default, and by design the
floor of every reply (the task waits for the contact to be quiet); 0 is pure processing latency, which the
targets of issue #3 are about: p50 < 150 ms, p95 < 400 ms.
Database queries are counted inside gunicorn and the worker (execute wrapper, see bench/_harness.py) for all the
work a turn causes: the webhook, its ingestion task, the turn, typing on/off, the send, and the echo webhook.
Exit status 0 when the window-0 phase meets the targets.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import BENCH, REPO, Children, ensure_database, free_port, percentile, wait_port  # noqa: E402

SECRET = "bench-turns-secret"
SCRIPT = ["Hola", "¿a qué hora abren?", "¿hacen despacho a domicilio?", "¿qué medios de pago aceptan?", "gracias"]
P50_TARGET, P95_TARGET = 0.150, 0.400
REPLY_TIMEOUT = 20.0


def _args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="times each contact plays the script")
    parser.add_argument("--windows", default="0.5,0", help="AGENT_BURST_WINDOW values, one phase each")
    parser.add_argument("--q-workers", type=int, default=2, help="Q_WORKERS of the qcluster")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--pause", type=float, default=2.0,
                        help="mean pause after a reply before writing again (0.4: a saturation test on 2 CPUs)")
    parser.add_argument("--poll", type=float, default=0.1, help="seconds between a contact's looks for its reply")
    parser.add_argument("--seconds", type=float, default=240, help="hard limit for the whole run")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_turns")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--logs", default="", help="directory for the children's output (default: a temp dir)")
    return parser.parse_args(argv)


def _env(args, standin_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHATWOOT_", "ODOO_", "SLACK_"))}
    env.pop("PYTEST_VERSION", None)
    env.update(DATABASE_URL=args.database, REDIS_URL=args.redis, DEBUG="0", SECRET_KEY="bench-turns-not-secret",
               ALLOWED_HOSTS="127.0.0.1,localhost", CHATWOOT_WEBHOOK_SECRETS=SECRET, LOG_LEVEL="WARNING",
               CHATWOOT_STANDIN_PORT=str(standin_port), CACHE_KEY_PREFIX="bench-turns", DRY_RUN="0",
               Q_WORKERS=str(args.q_workers), BENCH_QUERY_KEY="bench:turns:queries",
               DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=os.pathsep.join([str(BENCH), str(REPO)]))
    return env


# --- talking to the stand-in ---------------------------------------------------------------------------------
class Standin:
    def __init__(self, port: int):
        self.port = port
        self._local = threading.local()

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        conn = getattr(self._local, "conn", None) or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self._local.conn = conn
        data = json.dumps(body).encode() if body is not None else None
        try:
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            payload = json.loads(response.read() or b"{}")
        except (OSError, http.client.HTTPException):
            conn.close()
            self._local.conn = None
            raise
        if response.status >= 300:
            raise RuntimeError(f"stand-in {method} {path}: {response.status} {payload}")
        return payload

    def inbound(self, content: str, contact: dict, conversation_id: int | None) -> dict:
        return self._call("POST", "/standin/inbound",
                          {"content": content, "contact": contact, "conversation_id": conversation_id})

    def reply_times(self, conversation_id: int) -> dict[int, float]:
        """Public bot replies (not private notes) → when the stand-in received them."""
        data = self._call("GET", f"/standin/conversations/{conversation_id}/messages")
        public = {m["id"] for m in data["payload"] if not m.get("private")}
        return {int(k): v for k, v in data["received_at"].items() if int(k) in public}


POLL = 0.05  # seconds between looks at the stand-in (--poll); pacing only, latency is stamped by the stand-in


def _wait_reply(standin: Standin, cid: int, seen: set[int], deadline: float) -> dict[int, float]:
    time.sleep(0.03)
    while True:
        times = standin.reply_times(cid)
        if set(times) - seen:
            return times
        if time.time() > deadline:
            raise TimeoutError(f"conversation {cid}: no reply within {REPLY_TIMEOUT:.0f} s")
        time.sleep(POLL)


def _contact(standin: Standin, n: int, script: list[str], pause: float, out: list, errors: list) -> None:
    rng = random.Random(n)
    contact = {"name": f"Cliente Bench {n}", "phone_number": f"+5698{n:07d}"}
    cid, seen = None, set()
    time.sleep(rng.uniform(0, pause))  # contacts do not all write in the same millisecond
    for text in script:
        try:
            sent = standin.inbound(text, contact, cid)
            if sent["webhook_status"] != 200:
                raise RuntimeError(f"webhook answered {sent['webhook_status']}")
            cid = sent["conversation_id"]
            times = _wait_reply(standin, cid, seen, time.time() + REPLY_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - counted and reported; the other contacts go on
            errors.append(f"contact {n} {text!r}: {exc}")
            return
        first = min(times[i] for i in set(times) - seen)
        out.append((text, first - sent["webhook_answered_at"], first))
        time.sleep(rng.uniform(0.5, 1.5) * pause)  # every reply of the turn lands; then the contact writes again
        seen = set(standin.reply_times(cid))


def _play(standin: Standin, first: int, count: int, script: list[str], pause: float) -> tuple[list, list, float]:
    out, errors = [], []
    threads = [threading.Thread(target=_contact, args=(standin, first + i, script, pause, out, errors), daemon=True)
               for i in range(count)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=REPLY_TIMEOUT * len(script) + 30)
    return out, errors, time.time() - started


# --- counters ----------------------------------------------------------------------------------------------------
def _pg_counters(db_url: str) -> dict:
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute("SELECT xact_commit + xact_rollback, tup_inserted, tup_updated, tup_deleted "
                           "FROM pg_stat_database WHERE datname = %s", (name,)).fetchone()
    return dict(zip(("transactions", "inserted", "updated", "deleted"), row))


def _settle(redis_client, key: str, quiet: float = 1.5, limit: float = 20) -> dict:
    """Wait until the echo webhooks, typing-off tasks etc. have run: the counts stop moving and the queue is empty."""
    deadline, last, still_since = time.time() + limit, None, time.time()
    while time.time() < deadline:
        counts = redis_client.hgetall(key)
        queued = sum(redis_client.llen(k) for k in redis_client.keys("django_q:*:q"))
        if counts != last or queued:
            last, still_since = counts, time.time()
        elif time.time() - still_since >= quiet:
            break
        time.sleep(0.2)
    return {k.decode(): int(v) for k, v in (last or {}).items()}


# --- phases --------------------------------------------------------------------------------------------------------
def _phase(args, children: Children, env: dict, standin: Standin, window: str, first_contact: int, logs: Path):
    import redis

    key = env["BENCH_QUERY_KEY"]  # gunicorn and the worker add to it; emptied once the warm-up has settled
    qenv = dict(env, AGENT_BURST_WINDOW=window)
    worker = children.spawn([sys.executable, "-m", "_harness", "qcluster"], qenv, logs / f"qcluster-{window}.log")
    try:
        _, warm_errors, _ = _play(standin, first_contact, 4, SCRIPT[:2], 0.1)  # imports, connections, FAQ cache
        if warm_errors or worker.poll() is not None:
            raise RuntimeError(f"warm-up failed: {warm_errors}")
        client = redis.Redis.from_url(args.redis)
        _settle(client, key)
        client.delete(key)
        before = _pg_counters(args.database)
        script = SCRIPT * args.rounds
        out, errors, elapsed = _play(standin, first_contact + 100, args.conversations, script, args.pause)
        queries = _settle(client, key)
        time.sleep(1.2)  # PostgreSQL publishes a backend's counters at most once a second
        after = _pg_counters(args.database)
    finally:
        children.stop(worker)
    db = {k: after[k] - before[k] for k in after}
    return {"window": window, "out": out, "errors": errors, "elapsed": elapsed, "queries": queries, "db": db}


def _report(result: dict, args) -> bool:
    latencies = [x[1] for x in result["out"]]
    turns = len(latencies) or 1
    p50, p95, p99 = (percentile(latencies, q) * 1000 for q in (0.50, 0.95, 0.99))
    total_q = sum(v for k, v in result["queries"].items() if not k.endswith(":runs"))
    print(f"\nAGENT_BURST_WINDOW={result['window']}: {len(latencies)} turns, {len(result['errors'])} errors, "
          f"{len(latencies) / result['elapsed']:.1f} turns/s over {result['elapsed']:.1f} s")
    print(f"  webhook accepted -> reply at the stand-in: p50 {p50:.0f} ms   p95 {p95:.0f} ms   p99 {p99:.0f} ms"
          f"   max {max(latencies, default=0) * 1000:.0f} ms")
    by_text = {}
    for text, latency, _ in result["out"]:
        by_text.setdefault(text, []).append(latency)
    for text, values in by_text.items():
        print(f"    {text!r:34} n={len(values):3}  p50 {percentile(values, 0.5) * 1000:5.0f} ms"
              f"  p95 {percentile(values, 0.95) * 1000:5.0f} ms")
    print(f"  database queries per turn: {total_q / turns:.1f} (all processes; "
          f"{result['db']['transactions'] / turns:.1f} transactions, {result['db']['inserted'] / turns:.1f} rows "
          f"inserted, {result['db']['updated'] / turns:.1f} updated per turn, from pg_stat_database)")
    for label in sorted(k for k in result["queries"] if not k.endswith(":runs")):
        runs = result["queries"].get(f"{label}:runs", 0) or 1
        print(f"    {label:48} {runs / turns:5.2f} runs/turn  {result['queries'][label] / runs:5.1f} queries/run")
    for error in result["errors"][:5]:
        print(f"  error: {error}")
    return p50 < P50_TARGET * 1000 and p95 < P95_TARGET * 1000 and not result["errors"]


def main(argv=None) -> int:
    args = _args(argv)
    global POLL
    POLL = args.poll
    logs = Path(args.logs or tempfile.mkdtemp(prefix="bench-turns-"))
    logs.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database, fresh=True)  # the stand-in's ids restart at each run: old rows would dedupe
    import redis

    redis.Redis.from_url(args.redis).flushdb()  # stale tasks of an interrupted run would skew this one
    web_port, standin_port = free_port(), free_port()
    env = _env(args, standin_port)
    subprocess_run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    stop_at = time.time() + args.seconds
    results = []
    with Children() as children:
        timer = threading.Timer(args.seconds, lambda: os.kill(os.getpid(), 15))  # bounded: SIGTERM stops all
        timer.daemon = True
        timer.start()
        web = children.spawn([sys.executable, "-m", "gunicorn", "_harness:wsgi()", "-b", f"127.0.0.1:{web_port}",
                              "-w", str(args.web_workers), "-k", "gthread", "--threads", str(args.web_threads),
                              "--keep-alive", "30", "--log-level", "warning"],
                             env, logs / "gunicorn.log")
        wait_port(web_port, web)
        standin_proc = children.spawn(
            [sys.executable, "manage.py", "chatwoot_standin", "--port", str(standin_port),
             "--webhook-url", f"http://127.0.0.1:{web_port}/webhooks/chatwoot/"], env, logs / "standin.log")
        wait_port(standin_port, standin_proc)
        standin = Standin(standin_port)
        for n, window in enumerate(w.strip() for w in args.windows.split(",")):
            if time.time() > stop_at:
                break
            results.append(_phase(args, children, env, standin, window, n * 1000, logs))
        timer.cancel()
    _header(args, logs)
    ok = {r["window"]: _report(r, args) for r in results}
    zero = [v for k, v in ok.items() if float(k) == 0]
    print(f"\ntargets (window 0): p50 < {P50_TARGET * 1000:.0f} ms, p95 < {P95_TARGET * 1000:.0f} ms: "
          f"{'met' if zero and all(zero) else 'MISSED' if zero else 'not measured'}")
    return 0 if zero and all(zero) else 1


def _header(args, logs: Path) -> None:
    print(f"gunicorn gthread {args.web_workers}x{args.web_threads}, qcluster {args.q_workers} workers (Redis broker), "
          f"{args.conversations} conversations x {len(SCRIPT) * args.rounds} messages, pause {args.pause} s, "
          f"poll {args.poll} s, rules routing, PostgreSQL; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (everything shares the machine); "
          f"children's logs in {logs}")


def subprocess_run(cmd: list[str], env: dict) -> None:
    import subprocess

    subprocess.run(cmd, cwd=REPO, env=env, check=True)


if __name__ == "__main__":
    sys.exit(main())
