"""Webhook fuzzer: mutated, validly signed Chatwoot bodies against the real processes; nothing may crash or leak.

    .venv/bin/python bench/fuzz.py [--bodies 10000] [--seed 1] [--concurrency 8] [--database URL] [--redis URL]

Real processes on loopback, started with bench/_harness.py: a scratch PostgreSQL database (--database, default
postgres://postgres@127.0.0.1:5432/bench_fuzz, DROPPED, created and migrated), gunicorn serving the project,
a django-q2 qcluster on the Redis broker (--redis, default redis://127.0.0.1:6379/12, FLUSHED at start), and the
Chatwoot and Odoo stand-ins; DRY_RUN=1 (the bot's replies are audited, not posted), rules routing, LOG_LEVEL=DEBUG
for web and worker. The bodies come from tests/conversations/fuzz_mutations.py: each is a function of
(--seed, its index), so a run is reproducible and `--show N` prints body N.

Printed: bodies sent, answers by status, HTTP 5xx, deliveries processed / failed / ignored, ERROR lines and
tracebacks in the web and worker logs, log lines with a phone number or an e-mail address (or a secret: the
webhook secret, the Chatwoot token, the Odoo password), and the most common 400 and failure reasons.
Targets: 0 HTTP 5xx, 0 tracebacks, 0 ERROR lines, 0 unmasked phone/e-mail, 0 secrets; exit 0 when all are met.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import BENCH, REPO, Children, ensure_database, free_port, wait_port  # noqa: E402

sys.path.insert(0, str(REPO))
from tests.conversations.fuzz_mutations import PII_EMAILS, PII_PHONES, FuzzBodies  # noqa: E402

SECRET = "bench-fuzz-secret"
# Distinctive credentials for the stand-ins, so a log line that carries one is recognised.
CHATWOOT_TOKEN, ODOO_PASSWORD = "fuzz-chatwoot-token-9a44", "fuzz-odoo-password-7c1e"
SECRETS = (SECRET, CHATWOOT_TOKEN, ODOO_PASSWORD)
PATH = "/webhooks/chatwoot/"


def _args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8, help="keep-alive connections sending at once")
    parser.add_argument("--q-workers", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--drain-seconds", type=float, default=900, help="longest wait for the queue to empty")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_fuzz")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--logs", default="", help="directory for the children's output (default: a temp dir)")
    parser.add_argument("--show", type=int, default=None, help="print body N of this seed and exit")
    return parser.parse_args(argv)


def _env(args, chatwoot_port: int, odoo_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHATWOOT_", "ODOO_", "SLACK_"))}
    env.pop("PYTEST_VERSION", None)
    env.update(DATABASE_URL=args.database, REDIS_URL=args.redis, DEBUG="0", SECRET_KEY="bench-fuzz-not-secret",
               SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback: no TLS proxy in front
               ALLOWED_HOSTS="127.0.0.1,localhost", CHATWOOT_WEBHOOK_SECRETS=SECRET, LOG_LEVEL="DEBUG",
               CHATWOOT_STANDIN_PORT=str(chatwoot_port), ODOO_STANDIN_PORT=str(odoo_port), DRY_RUN="1",
               CHATWOOT_API_TOKEN=CHATWOOT_TOKEN, ODOO_PASSWORD=ODOO_PASSWORD, CACHE_KEY_PREFIX="bench-fuzz",
               Q_WORKERS=str(args.q_workers), AGENT_BURST_WINDOW="0",
               DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=os.pathsep.join([str(BENCH), str(REPO)]))
    return env


# --- sending -------------------------------------------------------------------------------------------------------
def _signed(body: bytes, index: int, seed: int) -> dict:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Chatwoot-Delivery": f"fuzz-{seed}-{index}",
            "X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": f"sha256={digest}"}


class Sender:
    """`concurrency` threads, each on its own keep-alive connection, taking the next index until all are sent."""

    def __init__(self, port: int, bodies: FuzzBodies, count: int, seed: int):
        self.port, self.bodies, self.count, self.seed = port, bodies, count, seed
        self.next_index, self.lock = 0, threading.Lock()
        self.statuses: Counter = Counter()
        self.reasons: Counter = Counter()
        self.server_errors: list[tuple[int, int, tuple, str]] = []

    def run(self, concurrency: int) -> None:
        threads = [threading.Thread(target=self._loop) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _take(self) -> int | None:
        with self.lock:
            if self.next_index >= self.count:
                return None
            self.next_index += 1
            return self.next_index - 1

    def _loop(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while (index := self._take()) is not None:
            try:
                body = self.bodies.body(index)
            except Exception as exc:  # noqa: BLE001 - a fuzzer bug is counted and reported, the run goes on
                self._note(index, ("fuzzer error",), -1, repr(exc).encode())
                continue
            status, answer = self._post(conn, body.data, index)
            if status == 0:  # the connection broke: one more try on a fresh one
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                status, answer = self._post(conn, body.data, index)
            self._note(index, body.kinds, status, answer)
        conn.close()

    def _post(self, conn, data: bytes, index: int) -> tuple[int, bytes]:
        try:
            conn.request("POST", PATH, body=data, headers=_signed(data, index, self.seed))
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            return 0, str(exc).encode()

    def _note(self, index: int, kinds: tuple, status: int, answer: bytes) -> None:
        label = str(status)
        try:
            decoded = json.loads(answer)
            label = f"{status} {decoded.get('status', '')}".strip()
            reason = decoded.get("error")
        except ValueError:
            reason = None
        with self.lock:
            self.statuses[label if status > 0 else ("connection error" if status == 0 else "fuzzer error")] += 1
            if reason:
                self.reasons[re.sub(r"\d+", "N", reason)[:90]] += 1
            if status >= 500 or status <= 0:
                self.server_errors.append((index, status, kinds, answer[:200].decode("utf-8", "replace")))


# --- waiting for the worker ----------------------------------------------------------------------------------------
def _deliveries(db_url: str) -> dict:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute("SELECT outcome, count(*) FROM conversations_webhookdelivery GROUP BY outcome").fetchall()
    return dict(rows)


def _failure_reasons(db_url: str) -> list[tuple[str, int]]:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute("SELECT left(regexp_replace(error, '[0-9]+', 'N', 'g'), 90) AS reason, count(*) "
                            "FROM conversations_webhookdelivery WHERE outcome = 'failed' "
                            "GROUP BY reason ORDER BY count(*) DESC LIMIT 12").fetchall()


def _drain(args, quiet: float = 3.0) -> dict:
    """Until no delivery is pending and the broker's queue has stayed empty for `quiet` seconds."""
    import redis

    client = redis.Redis.from_url(args.redis)
    deadline, still_since, last = time.time() + args.drain_seconds, time.time(), None
    while time.time() < deadline:
        counts = _deliveries(args.database)
        queued = sum(client.llen(k) for k in client.keys("django_q:*:q"))
        if counts != last or queued or counts.get("pending"):
            last, still_since = counts, time.time()
        elif time.time() - still_since >= quiet:
            return counts
        time.sleep(0.5)
    return _deliveries(args.database)


# --- reading the logs ----------------------------------------------------------------------------------------------
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PLUS_PHONE = re.compile(r"\+\d{8,15}(?!\d)")


def _known_phone_patterns() -> re.Pattern:
    """The last nine digits of each phone we injected, whatever separators a log line put between them."""
    tails = {re.sub(r"\D", "", phone)[-9:] for phone in PII_PHONES}
    return re.compile("|".join(r"[\s.()\-]{0,2}".join(tail) for tail in sorted(tails)))


KNOWN_PHONE = _known_phone_patterns()
KNOWN_EMAIL = re.compile("|".join(re.escape(e) for e in PII_EMAILS), re.IGNORECASE)


def _has_pii(line: str) -> bool:
    return bool(EMAIL.search(line) or PLUS_PHONE.search(line) or KNOWN_PHONE.search(line)
                or KNOWN_EMAIL.search(line))


def _is_error(line: str) -> bool:
    try:
        record = json.loads(line)
    except ValueError:
        return re.search(r"\b(ERROR|CRITICAL)\b", line) is not None
    return isinstance(record, dict) and record.get("level") in ("ERROR", "CRITICAL")


def scan_log(path: Path) -> dict:
    text = path.read_text(errors="replace") if path.exists() else ""
    lines = text.splitlines()
    errors = [line for line in lines if _is_error(line)]
    pii = [line for line in lines if _has_pii(line)]
    secrets = [line for line in lines if any(secret in line for secret in SECRETS)]
    return {"lines": len(lines), "errors": len(errors), "tracebacks": text.count("Traceback (most recent call last)"),
            "pii": len(pii), "secrets": len(secrets), "error_samples": errors[:3], "pii_samples": pii[:3]}


# --- the run -------------------------------------------------------------------------------------------------------
def _start(children: Children, env: dict, args, logs: Path, ports: dict) -> None:
    web = children.spawn([sys.executable, "-m", "gunicorn", "_harness:wsgi()", "-b", f"127.0.0.1:{ports['web']}",
                          "-w", str(args.web_workers), "-k", "gthread", "--threads", "4", "--keep-alive", "30",
                          "--log-level", "info"], env, logs / "web.log")
    chatwoot = children.spawn([sys.executable, "manage.py", "chatwoot_standin", "--port", str(ports["chatwoot"]),
                               "--webhook-url", f"http://127.0.0.1:{ports['web']}{PATH}"], env, logs / "chatwoot.log")
    odoo = children.spawn([sys.executable, "manage.py", "odoo_standin", "--port", str(ports["odoo"])], env,
                          logs / "odoo.log")
    for name, proc in (("web", web), ("chatwoot", chatwoot), ("odoo", odoo)):
        wait_port(ports[name], proc)
    children.spawn([sys.executable, "-m", "_harness", "qcluster"], env, logs / "worker.log")


def run(args) -> dict:
    logs = Path(args.logs or tempfile.mkdtemp(prefix="bench-fuzz-"))
    logs.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database, fresh=True)
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    ports = {"web": free_port(), "chatwoot": free_port(), "odoo": free_port()}
    env = _env(args, ports["chatwoot"], ports["odoo"])
    import subprocess

    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)
    bodies = FuzzBodies(args.seed)
    with Children() as children:
        _start(children, env, args, logs, ports)
        sender = Sender(ports["web"], bodies, args.bodies, args.seed)
        started = time.time()
        sender.run(args.concurrency)
        sent_in = time.time() - started
        outcomes = _drain(args)
        drained_in = time.time() - started
    return {"sender": sender, "outcomes": outcomes, "sent_in": sent_in, "drained_in": drained_in, "logs": logs,
            "web": scan_log(logs / "web.log"), "worker": scan_log(logs / "worker.log"),
            "failures": _failure_reasons(args.database)}


def report(args, result: dict) -> bool:
    sender, outcomes, web, worker = result["sender"], result["outcomes"], result["web"], result["worker"]
    server_errors = sum(n for label, n in sender.statuses.items() if label[:1] == "5" or label == "connection error")
    fuzzer_errors = sender.statuses.get("fuzzer error", 0)
    print(f"fuzz: seed {args.seed}, {args.concurrency} connections, gunicorn {args.web_workers}x4, qcluster "
          f"{args.q_workers} workers (Redis), PostgreSQL; sent in {result['sent_in']:.0f} s, drained after "
          f"{result['drained_in']:.0f} s; logs in {result['logs']}")
    rows = [("bodies sent", sum(sender.statuses.values()))]
    rows += [(f"  answered {label}", n) for label, n in sorted(sender.statuses.items())]
    rows += [("HTTP 5xx (and broken connections)", server_errors)]
    rows += [(f"deliveries {k}", outcomes.get(k, 0)) for k in ("processed", "failed", "ignored", "pending")]
    rows += [("web log: ERROR lines / tracebacks", f"{web['errors']} / {web['tracebacks']}"),
             ("worker log: ERROR lines / tracebacks", f"{worker['errors']} / {worker['tracebacks']}"),
             ("log lines with a phone or e-mail (web + worker)", web["pii"] + worker["pii"]),
             ("log lines with a secret or token (web + worker)", web["secrets"] + worker["secrets"]),
             ("log lines read (web + worker)", web["lines"] + worker["lines"])]
    for name, value in rows:
        print(f"  {name:<52}{value:>10}")
    _print_details(sender, result)
    return (server_errors == 0 and fuzzer_errors == 0 and web["tracebacks"] + worker["tracebacks"] == 0
            and web["errors"] + worker["errors"] == 0 and web["pii"] + worker["pii"] == 0
            and web["secrets"] + worker["secrets"] == 0
            and not outcomes.get("pending"))


def _print_details(sender: Sender, result: dict) -> None:
    print("  most common 400 reasons:")
    for reason, n in sender.reasons.most_common(12):
        print(f"    {n:>6}  {reason}")
    print("  failed deliveries by reason:")
    for reason, n in result["failures"]:
        print(f"    {n:>6}  {reason}")
    for index, status, kinds, answer in sender.server_errors[:5]:
        print(f"  5xx: body {index} ({', '.join(kinds)}) -> {status} {answer!r}")
    for log in ("web", "worker"):
        for line in result[log]["error_samples"] + result[log]["pii_samples"]:
            print(f"  {log} log: {line[:300]}")


def main(argv=None) -> int:
    args = _args(argv)
    if args.show is not None:
        body = FuzzBodies(args.seed).body(args.show)
        print(", ".join(body.kinds))
        sys.stdout.buffer.write(body.data[:20_000] + b"\n")
        return 0
    return 0 if report(args, run(args)) else 1


if __name__ == "__main__":
    sys.exit(main())
