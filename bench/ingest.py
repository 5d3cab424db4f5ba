"""Webhook ingestion benchmark: gunicorn on PostgreSQL, the real endpoint beside a one-row-insert baseline.

    .venv/bin/python bench/ingest.py [--seconds 8] [--connections 8] [--rate 200] [--workers 2] [--threads 4]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_ingest (created and migrated first);
REDIS_URL is passed through (the django-q2 broker; without it the ORM broker adds an insert per request).
Loopback only. Payloads are realistic signed `message_created` bodies with a unique message id each.
Targets: webhook throughput >= 60% of the baseline; p99 < 50 ms at a fixed 200 req/s.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "chatwoot" / "message_created__whatsapp_text.json"
SECRET = "bench-secret"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_ingest"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(db_url: str) -> dict:
    # Plain HTTP on loopback: with DEBUG off the app would redirect every webhook to https://.
    env = dict(os.environ, DATABASE_URL=db_url, DJANGO_SETTINGS_MODULE="ingest_site", DEBUG="0",
               SECURE_SSL_REDIRECT="0", SECRET_KEY="bench-only-secret-key", CHATWOOT_WEBHOOK_SECRETS=SECRET,
               LOG_LEVEL="WARNING",
               PYTHONPATH=os.pathsep.join([str(REPO / "bench"), str(REPO)]))
    env.pop("PYTEST_VERSION", None)
    return env


def ensure_database(db_url: str) -> None:
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}",
           "-w", str(workers), "-k", "gthread", "--threads", str(threads), "--keep-alive", "30",
           "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def make_body(template: dict, message_id: int) -> bytes:
    payload = dict(template, id=message_id, content=f"Hola, necesito 10 sacos de cemento (#{message_id})",
                   source_id=f"wamid.bench{message_id}")
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_headers(body: bytes, message_id: int) -> dict:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Chatwoot-Delivery": f"bench-{message_id}",
            "X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": f"sha256={digest}"}


def one_request(conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict) -> int:
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def closed_loop_worker(args) -> tuple[list[float], int]:
    """One load process: `threads` keep-alive connections, each sending back-to-back until `stop_at`."""
    port, path, threads, stop_at, id_base = args
    template = json.loads(FIXTURE.read_text())
    latencies, errors, lock = [], [0], threading.Lock()

    def run(thread_no: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n, mine = 0, []
        while time.time() < stop_at:
            message_id = id_base + thread_no * 10_000_000 + n
            n += 1
            body = make_body(template, message_id)
            headers = signed_headers(body, message_id)
            started = time.perf_counter()
            try:
                status = one_request(conn, path, body, headers)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                status = 0
            mine.append(time.perf_counter() - started)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, errors[0]


def closed_loop(port: int, path: str, seconds: float, connections: int, id_base: int) -> dict:
    procs = 2
    stop_at = time.time() + seconds
    jobs = [(port, path, max(connections // procs, 1), stop_at, id_base + p * 100_000_000) for p in range(procs)]
    started = time.time()
    with mp.Pool(procs) as pool:
        results = pool.map(closed_loop_worker, jobs)
    elapsed = time.time() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    return summary(latencies, sum(e for _, e in results), elapsed)


def fixed_rate(port: int, path: str, rate: float, seconds: float, id_base: int) -> dict:
    """Open loop: requests are due every 1/rate s; latency counts from the due time (no coordinated omission)."""
    template = json.loads(FIXTURE.read_text())
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    latencies, errors, lock, counter = [], [0], threading.Lock(), iter(range(total))

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for i in counter:
            due = start + i / rate
            body = make_body(template, id_base + i)
            headers = signed_headers(body, id_base + i)
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                status = one_request(conn, path, body, headers)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                status = 0
            with lock:
                latencies.append(time.perf_counter() - due)
                errors[0] += status != 200

    pool = [threading.Thread(target=run) for _ in range(16)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return summary(sorted(latencies), errors[0], time.perf_counter() - start)


def summary(latencies: list[float], errors: int, elapsed: float) -> dict:
    def pct(p):
        return latencies[min(int(len(latencies) * p), len(latencies) - 1)] * 1000 if latencies else float("nan")
    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed,
            "p50": pct(0.50), "p99": pct(0.99)}


def row(name: str, r: dict) -> str:
    return f"{name:<34}{r['requests']:>9}{r['errors']:>8}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    db_url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    ensure_database(db_url)
    env = server_env(db_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)
    port = free_port()
    server = start_gunicorn(env, port, args.workers, args.threads)
    id_base = int(time.time() * 1000) * 1000  # unique message ids across runs (the dedupe key includes them)
    try:
        closed_loop(port, "/bench/baseline/", 1.5, args.connections, id_base)  # warm-up: connections, caches
        closed_loop(port, "/webhooks/chatwoot/", 1.5, args.connections, id_base + 1 * 10**12)
        base = closed_loop(port, "/bench/baseline/", args.seconds, args.connections, id_base + 2 * 10**12)
        hook = closed_loop(port, "/webhooks/chatwoot/", args.seconds, args.connections, id_base + 3 * 10**12)
        paced = fixed_rate(port, "/webhooks/chatwoot/", args.rate, args.seconds, id_base + 4 * 10**12)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    ratio = hook["rps"] / base["rps"] if base["rps"] else 0.0
    print(f"gunicorn gthread {args.workers}x{args.threads}, {args.connections} keep-alive connections, "
          f"{args.seconds:.0f} s per phase, broker {'redis' if env.get('REDIS_URL') else 'orm'}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (the load generator shares the machine)")
    print(f"{'phase':<34}{'requests':>9}{'errors':>8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    print(row("baseline (one-row insert view)", base))
    print(row("webhook, max throughput", hook))
    print(row(f"webhook, fixed {args.rate:.0f} req/s", paced))
    ok_ratio, ok_p99 = ratio >= 0.60, paced["p99"] < 50
    print(f"throughput ratio {ratio:.0%} (target >= 60%: {'ok' if ok_ratio else 'MISSED'}); "
          f"p99 at {args.rate:.0f} req/s {paced['p99']:.1f} ms (target < 50 ms: {'ok' if ok_p99 else 'MISSED'})")
    return 0 if ok_ratio and ok_p99 else 1


if __name__ == "__main__":
    sys.exit(main())
