"""Fault suite: the real processes under every fault class; nothing a contact writes may be lost or answered twice,
no order created or changed twice.

    .venv/bin/python bench/faults.py [--seed 1] [--only deliveries,odoo] [--echo-timing before]
                                     [--env ODOO_COMMAND_RETRY_MAX=30] [--database URL] [--redis URL]

Real processes on loopback, started with bench/_harness.py: a scratch PostgreSQL database (--database, default
postgres://postgres@127.0.0.1:5432/bench_faults, DROPPED, created and migrated), gunicorn serving the project, a
django-q2 qcluster on the Redis broker (--redis, default redis://127.0.0.1:6379/13, FLUSHED at start), the
Chatwoot stand-in (signed webhooks to gunicorn) and the Odoo stand-in (XML-RPC, in memory), and a fake OpenAI
server (bench/fake_llm.py, a thread of this process) that the worker routes every turn through. Client timeouts
are shortened (CHATWOOT_TIMEOUT and ODOO_TIMEOUT 3 s, the injected stalls 4 s) so a class takes seconds; every
other knob is the project's default. Orders confirm without staff approval (ORDER_APPROVAL_THRESHOLD high).

One phase per fault class (bench/_faults_phases.py), each with its own contacts (bench/_faults_drive.py) playing
short Spanish scripts: questions, or order → change → confirm / cancel. Each contact waits for the answer before
writing again, for up to 30 s after the fault's end. Then the phase settles (nothing owed: no unanswered message,
no unsent reply, no unfinished Odoo command or notice; at most 45 s) and is judged from the records
(bench/_faults_check.py): messages sent, answered, handed to staff, lost (no answer within 30 s of the fault's
end), duplicated replies (a text posted more often than we have rows for it, or a message answered by two turns),
duplicated and orphan Odoo orders, orders on which we and Odoo disagree, and the time to recover (from the fault's
end to the last reply, notices included, to a message written before it ended).

Targets, in every class: 0 lost, 0 duplicated replies, 0 duplicated or orphan orders, 0 disagreements, and every
reply (the quote that follows "we received your order" too) within 30 s of the fault's end. Exit 0 when all are
met. Contacts, pauses and the faults dealt to them follow --seed.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _faults_check import Records, Verdict, judge  # noqa: E402
from _faults_drive import ANSWER_WITHIN, Contact, Driver  # noqa: E402
from _faults_phases import Phase, Run, phases_named  # noqa: E402
from _harness import (  # noqa: E402
    BENCH, REPO, Children, JsonClient, ensure_database, free_port, migrate, wait_port, worker_tasks,
)
from fake_llm import BenchLLM  # noqa: E402

SECRET = "bench-faults-secret"
PATH = "/webhooks/chatwoot/"
SETTLE_MAX = 45.0


def _args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated classes (default: all)")
    parser.add_argument("--q-workers", type=int, default=2)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_faults")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--logs", default="", help="directory for the children's output (default: a temp dir)")
    parser.add_argument("--echo-timing", choices=["after", "before"], default="after",
                        help="the stand-in's echo of our reply: after the POST is answered (as Chatwoot) or before")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for every child, e.g. --env ODOO_COMMAND_RETRY_MAX=30 (to try a knob)")
    return parser.parse_args(argv)


class Bench:
    """The running system and the handles a phase needs."""

    def __init__(self, args, children: Children, logs: Path):
        self.args, self.children, self.logs = args, children, logs
        self.worker_dir = logs / "workers"
        self.worker_dir.mkdir(exist_ok=True)
        self.ports = {"web": free_port(), "chatwoot": free_port(), "odoo": free_port()}
        self.llm = BenchLLM().start()
        self.env = self._env()
        self.redis = redis.Redis.from_url(args.redis)
        self.db = psycopg.connect(args.database, autocommit=True)
        self._db_lock = threading.Lock()
        self.chatwoot = JsonClient(self.ports["chatwoot"])
        self.odoo = JsonClient(self.ports["odoo"])
        self.qcluster = None

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHATWOOT_", "ODOO_", "SLACK_"))}
        env.pop("PYTEST_VERSION", None)
        env.update(DATABASE_URL=self.args.database, REDIS_URL=self.args.redis, DEBUG="0",
                   SECRET_KEY="bench-faults-not-secret", ALLOWED_HOSTS="127.0.0.1,localhost",
                   SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback: no TLS proxy in front
                   CHATWOOT_WEBHOOK_SECRETS=SECRET, LOG_LEVEL="WARNING", CACHE_KEY_PREFIX="bench-faults",
                   CHATWOOT_STANDIN_PORT=str(self.ports["chatwoot"]), ODOO_STANDIN_PORT=str(self.ports["odoo"]),
                   STANDIN_STATE_DIR="", DRY_RUN="0", Q_WORKERS=str(self.args.q_workers),
                   CHATWOOT_TIMEOUT="3", ODOO_TIMEOUT="3", ORDER_APPROVAL_THRESHOLD="1000000000",
                   OPENAI_API_KEY="sk-bench-faults", OPENAI_BASE_URL=self.llm.base_url, OPENAI_MODEL="gpt-fake",
                   BENCH_WORKER_DIR=str(self.worker_dir),
                   DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=os.pathsep.join([str(BENCH), str(REPO)]))
        for item in self.args.env:
            name, _, value = item.partition("=")
            env[name] = value
        return env

    def start(self) -> None:
        ports, env, logs = self.ports, self.env, self.logs
        odoo = self.children.spawn([sys.executable, "manage.py", "odoo_standin", "--port", str(ports["odoo"]),
                                    "--no-state"], env, logs / "odoo.log")
        web = self.children.spawn([sys.executable, "-m", "gunicorn", "_harness:wsgi()", "-b",
                                   f"127.0.0.1:{ports['web']}", "-w", "2", "-k", "gthread", "--threads", "4",
                                   "--keep-alive", "30", "--log-level", "warning"], env, logs / "web.log")
        chatwoot = self.children.spawn([sys.executable, "manage.py", "chatwoot_standin", "--port",
                                        str(ports["chatwoot"]), "--state-file", "", "--echo-timing",
                                        self.args.echo_timing,
                                        "--webhook-url", f"http://127.0.0.1:{ports['web']}{PATH}"],
                                       env, logs / "chatwoot.log")
        for name, proc in (("odoo", odoo), ("web", web), ("chatwoot", chatwoot)):
            wait_port(ports[name], proc)
        subprocess.run([sys.executable, "manage.py", "sync_catalog"], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.start_qcluster()

    def start_qcluster(self) -> None:
        self.qcluster = self.children.spawn([sys.executable, "-m", "_harness", "qcluster"], self.env,
                                            self.logs / "worker.log")
        deadline = time.time() + 30
        while len(worker_tasks(self.worker_dir, self.qcluster.pid)) < self.args.q_workers:
            if time.time() > deadline or self.qcluster.poll() is not None:
                raise RuntimeError("the qcluster's workers did not start (see worker.log)")
            time.sleep(0.1)

    def sql(self, query: str, params=()):
        with self._db_lock:
            return self.db.execute(query, params).fetchall()

    def mode_of(self, chatwoot_id: int) -> str:
        rows = self.sql("SELECT mode FROM conversations_conversation WHERE chatwoot_id = %s", (chatwoot_id,))
        return rows[0][0] if rows else ""


# --- one phase -----------------------------------------------------------------------------------------------------
def run_phase(bench: Bench, phase: Phase, number: int) -> tuple[Verdict, float]:
    began = time.time()
    rng = random.Random(bench.args.seed * 1000 + number)
    bench.llm.latency = phase.llm_latency
    bench.odoo.call("POST", "/standin/latency", {"seconds": phase.odoo_latency})
    run = Run(bench, rng, window=phase.window)
    fault_end: list[float] = []
    contacts = [Contact(number * 1000 + i, phase.scripts[i % len(phase.scripts)], phase.name)
                for i in range(phase.contacts)]
    on_conversation = (lambda contact: phase.on_conversation(run, contact)) if phase.on_conversation else None
    driver = Driver(bench.chatwoot, bench.mode_of, seed=bench.args.seed * 1000 + number,
                    answers_due=lambda: fault_end[0] if fault_end else run.planned_end,
                    on_conversation=on_conversation)
    offsets = _log_offsets(bench)
    threads = driver.play(contacts)
    fault_end.append(phase.inject(run))
    for thread in threads:
        thread.join(timeout=max(0.0, fault_end[0] + ANSWER_WITHIN * 4 - time.time()))
    sent = [s for c in contacts for s in c.sent]
    conversation_ids = sorted({c.conversation_id for c in contacts if c.conversation_id})
    _settle(bench, conversation_ids, max([fault_end[0]] + [s.at for s in sent]) + SETTLE_MAX)
    records = Records(bench.db, bench.chatwoot, bench.odoo, conversation_ids)
    verdict = judge(phase.name, sent, records, fault_end[0])
    verdict.notes = run.events + [f"bench: {e}" for e in driver.errors] + _log_notes(bench, offsets) + verdict.notes
    return verdict, time.time() - began


def _settle(bench: Bench, conversation_ids: list[int], deadline: float) -> None:
    """Until nothing is owed in the phase's conversations (checked twice, a sweep apart), or the deadline."""
    quiet_since = None
    while time.time() < deadline:
        owed = _owed(bench, conversation_ids)
        if owed:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since >= 2.0:
            return
        time.sleep(0.5)


def _owed(bench: Bench, conversation_ids: list[int]) -> int:
    [(count,)] = bench.sql(
        "WITH c AS (SELECT id FROM conversations_conversation WHERE chatwoot_id = ANY(%s)), "
        "o AS (SELECT id FROM orders_purchaseorder WHERE conversation_id IN (SELECT id FROM c)) "
        "SELECT (SELECT count(*) FROM conversations_message WHERE conversation_id IN (SELECT id FROM c) "
        "        AND (answer = 'pending' OR status IN ('queued', 'sending'))) "
        "     + (SELECT count(*) FROM orders_odoocommand WHERE order_id IN (SELECT id FROM o) "
        "        AND state IN ('pending', 'running')) "
        "     + (SELECT count(*) FROM orders_purchaseorderevent WHERE order_id IN (SELECT id FROM o) "
        "        AND notice = 'pending')", (conversation_ids,))
    return count


def _log_offsets(bench: Bench) -> dict[str, int]:
    return {name: (bench.logs / name).stat().st_size if (bench.logs / name).exists() else 0
            for name in ("worker.log", "web.log")}


def _log_notes(bench: Bench, offsets: dict[str, int]) -> list[str]:
    notes = []
    for name, offset in offsets.items():
        with open(bench.logs / name, "rb") as log:
            log.seek(offset)
            text = log.read().decode("utf-8", "replace")
        tracebacks = text.count("Traceback (most recent call last)")
        errors = sum(1 for line in text.splitlines() if '"level": "ERROR"' in line or '"level": "CRITICAL"' in line)
        if tracebacks or errors:
            notes.append(f"{name}: {errors} ERROR/CRITICAL lines, {tracebacks} tracebacks")
    return notes


# --- the table -----------------------------------------------------------------------------------------------------
COLUMNS = ("class", "conv", "sent", "answered", "to staff", "lost", "dup replies", "dup orders", "orphans",
           "odoo≠ours", "recover s", "met")


def print_table(results: list[tuple[Phase, Verdict, float]]) -> None:
    widths = [14, 5, 5, 9, 9, 5, 12, 11, 8, 10, 10, 4]
    print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(COLUMNS, widths))))
    for phase, v, _ in results:
        recovery = "-" if v.recovery is None else f"{v.recovery:.1f}"
        row = (v.name, v.conversations, v.sent, v.answered, v.to_staff, v.lost,
               v.duplicated_replies + v.answered_twice, v.duplicated_orders, v.orphan_orders, v.disagreements,
               recovery, "yes" if v.met else "NO")
        print("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths))))


def print_notes(results: list[tuple[Phase, Verdict, float]]) -> None:
    for phase, v, seconds in results:
        print(f"\n{v.name} ({seconds:.0f} s; {v.orders} orders): {phase.injects}")
        for note in v.notes[:25]:
            print(f"  {note}")
        if len(v.notes) > 25:
            print(f"  ... {len(v.notes) - 25} more")


def main(argv=None) -> int:
    args = _args(argv)
    phases = phases_named(args.only)
    logs = Path(args.logs or tempfile.mkdtemp(prefix="bench-faults-"))
    logs.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database, fresh=True)  # the stand-ins' ids restart each run: old rows would dedupe
    redis.Redis.from_url(args.redis).flushdb()
    started = time.time()
    results = []
    with Children() as children:
        bench = Bench(args, children, logs)
        migrate(bench.env)
        bench.start()
        for number, phase in enumerate(phases, start=1):
            verdict, seconds = run_phase(bench, phase, number)
            results.append((phase, verdict, seconds))
            print(f"{phase.name}: {'met' if verdict.met else 'MISSED'} ({seconds:.0f} s)", flush=True)
        bench.llm.stop()
    tried = f"; with {' '.join(args.env)}" if args.env else ""
    print(f"\nfault suite{tried}: seed {args.seed}, qcluster {args.q_workers} workers (Redis), gunicorn 2x4, "
          f"PostgreSQL, {os.cpu_count()} CPUs; {time.time() - started:.0f} s in all; logs in {logs}\n")
    print_table(results)
    print_notes(results)
    ok = all(v.met for _, v, _ in results)
    print(f"\ntargets (0 lost, 0 duplicated replies, 0 duplicated or orphan orders, 0 disagreements, recovered within "
          f"{ANSWER_WITHIN:.0f} s of the fault's end): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
