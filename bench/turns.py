"""Turn benchmark at the shipped default settings: every turn target measured in one run, one table.

    .venv/bin/python bench/turns.py [--phases latency,burst,saturation,clusters] [--q-workers 2] [--web 2x4]
                                    [--saturation-seconds 60] [--seconds 450]

Real processes on loopback: a scratch PostgreSQL database (--database, default
postgres://postgres@127.0.0.1:5432/bench_turns, DROPPED, created and migrated), gunicorn serving our app (DEBUG off),
`manage.py qcluster` on the Redis broker (--redis, default redis://127.0.0.1:6379/11, FLUSHED at start), and
`manage.py chatwoot_standin` delivering signed webhooks to gunicorn and recording what the bot sent. Rules routing
only (no OPENAI_API_KEY). Nothing overrides the turn settings: AGENT_BURST_WINDOW 1 s (a message that reads unfinished
waits up to it for the rest; a complete one is answered at once) and AGENT_GREETING_WAIT 0.3 s (a bare "hola" waits
that long for the request that usually follows).

Phases (each a row group of the table):
- latency: 20 conversations at once, each pausing 1-3 s (uniform) between messages of a short Spanish script.
  Latency = the stand-in received the first reply - our webhook answered 200 for the contact's message (both stamped
  by the stand-in). Targets p50 <= 150 ms, p95 <= 400 ms over all messages; the bare greeting ("Hola") waits
  AGENT_GREETING_WAIT by design, so greeting and other messages are shown apart too.
- burst: contacts writing a request split in three lines 300 ms apart ("hola" / "una consulta" / the question) must
  get exactly one answer (counted at the stand-in; the turns in our database too); contacts writing non-stop (a line
  every 300 ms for 5 s) must still be answered: every message covered by a turn, and the last answer no later than
  the window (plus processing) after their last message. burst.py has no maximum wait: a contact whose every line
  reads unfinished is answered only once they pause, which the "fragments" row shows.
- saturation: 60 contacts each asking the next question as soon as the answer lands (closed loop), for
  --saturation-seconds; turns/s sustained (and the slowest 10 s slice), replies missing at the end (targets >= 40
  turns/s, 0 missing), and at the stand-in every conversation's answers one per message, in order. One run per
  --q-workers x --web combination: the sizing table of the runbook.
- clusters: the same load with two qcluster processes (each with the first --q-workers) on one Redis and one database,
  against the one-cluster figure: order and exactly-once checked the same way.
Statements and transactions per turn count everything a turn causes: its webhook, its ingestion task, the turn,
typing, the send and the echo webhook (an execute wrapper inside gunicorn and the workers, see bench/_harness.py;
transactions from pg_stat_database, read 11 s after the load stops, when every idle backend has published its
counters). Not the sweeps, which run on a clock whether anyone writes or not (the apps'
SCHEDULES and TICKS, and the ticker thread's rounds): they are counted under "(housekeeping)" and subtracted, and
the figure with them is printed too. Targets <= 25 statements and <= 8 transactions per info turn, judged on the
latency phase (new contacts included); the saturation phase's figure is printed beside it.
Exit status 0 when every target of the phases run is met.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import BENCH, REPO, Children, ensure_database, free_port, migrate  # noqa: E402
from _turns_phases import PHASES, Stack  # noqa: E402
from _turns_report import report  # noqa: E402

SECRET = "bench-turns-secret"


def _args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, of {', '.join(PHASES)}")
    parser.add_argument("--conversations", type=int, default=20, help="latency phase: contacts at once")
    parser.add_argument("--rounds", type=int, default=2, help="latency phase: times each contact plays the script")
    parser.add_argument("--contacts", type=int, default=60, help="saturation and clusters phases: contacts")
    parser.add_argument("--saturation-seconds", type=float, default=60)
    parser.add_argument("--q-workers", default="2", help="Q_WORKERS per qcluster; a list (2,3,4) for sizing")
    parser.add_argument("--web", default="2x4", help="gunicorn workers x threads; a list (2x4,3x4) for sizing")
    parser.add_argument("--seconds", type=float, default=450, help="hard limit for the whole run")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/bench_turns")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--logs", default="", help="directory for the children's output (default: a temp dir)")
    args = parser.parse_args(argv)
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    args.q_workers = [int(q) for q in args.q_workers.split(",")]
    args.web = [tuple(int(n) for n in w.split("x")) for w in args.web.split(",")]
    return args


def _env(args, standin_port: int) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "CHATWOOT_", "ODOO_", "SLACK_", "AGENT_", "Q_"))}
    env.pop("PYTEST_VERSION", None)
    env.update(DATABASE_URL=args.database, REDIS_URL=args.redis, DEBUG="0", SECRET_KEY="bench-turns-not-secret",
               ALLOWED_HOSTS="127.0.0.1,localhost", CHATWOOT_WEBHOOK_SECRETS=SECRET, LOG_LEVEL="WARNING",
               CHATWOOT_STANDIN_PORT=str(standin_port), CACHE_KEY_PREFIX="bench-turns", DRY_RUN="0",
               BENCH_QUERY_KEY="bench:turns:queries", DJANGO_SETTINGS_MODULE="config.settings",
               # Plain HTTP on loopback, as behind the TLS proxy; the stand-in keeps its state in memory (a state
               # file would outlive the scratch database, and writing it on every message loads the machine).
               SECURE_SSL_REDIRECT="0", STANDIN_STATE_DIR="",
               PYTHONPATH=os.pathsep.join([str(BENCH), str(REPO)]))
    return env


def main(argv=None) -> int:
    args = _args(argv)
    logs = Path(args.logs or tempfile.mkdtemp(prefix="bench-turns-"))
    logs.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database, fresh=True)  # the stand-in's ids restart at each run: old rows would dedupe
    import redis

    redis.Redis.from_url(args.redis).flushdb()  # stale tasks of an interrupted run would skew this one
    standin_port = free_port()
    env = _env(args, standin_port)
    migrate(env)
    results = []
    with Children() as children:
        timer = threading.Timer(args.seconds, lambda: os.kill(os.getpid(), 15))  # bounded: SIGTERM stops all
        timer.daemon = True
        timer.start()
        stack = Stack(args, children, env, logs, standin_port)
        for name in args.phases:
            results.extend(PHASES[name](stack))
        timer.cancel()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end (the machine is shared); "
          f"rules routing, PostgreSQL, Redis broker; sizes read \"web <gunicorn workers>x<threads>, "
          f"q <qcluster processes>x<Q_WORKERS>\"; children's logs in {logs}")
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
