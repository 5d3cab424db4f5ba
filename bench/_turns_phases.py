"""The phases of bench/turns.py and the processes they run on (`Stack`): gunicorn and the stand-in for the whole
run, one or two qcluster processes restarted only when a phase asks for a different size. Each phase returns
result dicts (`"phase"` says which) that bench/_turns_report.py turns into the table."""

from __future__ import annotations

import contextlib
import random
import resource
import sys
import time

from _harness import cpu_seconds, free_port, postmaster_pid, processes_named, wait_port
from _turns_load import MARKERS, Standin, bursty, closed_loop, coverage, nonstop, order_check, paced, person, run_all

GREETINGS = {"Hola"}  # the script's bare greeting: it waits AGENT_GREETING_WAIT by design
SCRIPT = ["Hola", "¿a qué hora abren?", "¿hacen despacho a domicilio?", "¿qué medios de pago aceptan?", "gracias"]
WINDOW = 1.0  # the shipped AGENT_BURST_WINDOW (config/settings.py): how long an unfinished line waits for the rest
# A request split over three lines, as people type on a phone: a greeting, an opener, the question.
BURSTS = [["hola", "una consulta", "¿hacen despacho a Viña del Mar?"],
          ["buenas tardes", "quería preguntar", "¿qué medios de pago aceptan?"],
          ["Hola!", "tengo una duda", "¿a qué hora cierran hoy?"],
          ["hola", "necesito", "¿cuál es el pedido mínimo?"]]
# Writing non-stop: lines that read complete mixed with fragments, and a contact whose every line reads unfinished.
NONSTOP = {"mixed": ["hola", "una consulta", "¿hacen despacho a Viña?", "y también", "¿qué medios de pago aceptan?",
                     "porque", "quiero pagar con transferencia", "¿a qué hora abren?"],
           "fragments": ["necesito saber si", "hacen despacho a", "Viña del Mar y", "también a Quilpué,",
                         "y cuánto cuesta el", "despacho para", "un pedido de", "20 kilos de"]}
GAP, NONSTOP_SECONDS = 0.3, 5.0
# A PostgreSQL backend publishes its counters when a transaction ends at least a second after its last report, and
# an idle one only after 10 s (PGSTAT_IDLE_INTERVAL). Read sooner, the warm-up's transactions (held by backends that
# went idle) land in the window when those backends next commit, and the window's last ones are missed.
PG_STATS_IDLE_FLUSH = 11.0
GRACE = 15.0  # after a closed-loop phase's end, how long the last answers may take before they count missing


class Stack:
    def __init__(self, args, children, env: dict, logs, standin_port: int):
        self.args, self.children, self.env, self.logs = args, children, env, logs
        self.web_port = free_port()
        self.web_proc, self.web_size = None, None
        self.clusters, self.cluster_size = [], None
        self.saturated: dict[tuple, dict] = {}  # (web, q_workers, clusters) → its closed-loop result
        self.standin = None
        self.use(args.web[0], args.q_workers[0])
        proc = children.spawn([sys.executable, "manage.py", "chatwoot_standin", "--port", str(standin_port),
                               "--webhook-url", f"http://127.0.0.1:{self.web_port}/webhooks/chatwoot/"],
                              env, logs / "standin.log")
        wait_port(standin_port, proc)
        self.standin, self.standin_pid = Standin(standin_port), proc.pid
        self.postmaster, self.redis_pids = postmaster_pid(), processes_named("redis-server")
        self.contact_base = 1000
        self._warm_up()

    def use(self, web: tuple[int, int], q_workers: int, clusters: int = 1) -> None:
        """Restart gunicorn and the clusters only if their size changes (a restart costs a warm-up)."""
        restarted = (web, (q_workers, clusters)) != (self.web_size, self.cluster_size)
        if web != self.web_size:
            if self.web_proc is not None:
                self.children.stop(self.web_proc)
            self.web_proc = self.children.spawn(
                [sys.executable, "-m", "gunicorn", "_harness:wsgi()", "-b", f"127.0.0.1:{self.web_port}",
                 "-w", str(web[0]), "-k", "gthread", "--threads", str(web[1]), "--keep-alive", "30",
                 "--log-level", "warning"], self.env, self.logs / f"gunicorn-{web[0]}x{web[1]}.log")
            wait_port(self.web_port, self.web_proc)
            self.web_size = web
        if (q_workers, clusters) != self.cluster_size:
            for proc in self.clusters:
                self.children.stop(proc)
            env = dict(self.env, Q_WORKERS=str(q_workers))
            self.clusters = [self.children.spawn([sys.executable, "-m", "_harness", "qcluster"], env,
                                                 self.logs / f"qcluster-{q_workers}-{n}.log") for n in range(clusters)]
            self.cluster_size = (q_workers, clusters)
        if restarted and self.standin is not None:
            self._warm_up()

    def _warm_up(self) -> None:
        """Imports, connections, the FAQ cache in every process, before anything is measured."""
        base = self.next_contacts(8)
        logs = run_all([paced(self.standin, person(base + i, "warm"), SCRIPT[:2], (0.05, 0.2), i) for i in range(8)],
                       timeout=60)
        errors = [log.error for log in logs if log.error]
        dead = [proc.args for proc in [self.web_proc, *self.clusters] if proc.poll() is not None]
        if errors or dead:
            raise RuntimeError(f"warm-up failed: {errors[:3]} {dead}")

    def next_contacts(self, count: int) -> int:
        """A block of new phone numbers: each phase's contacts are new to the stand-in and to us."""
        base, self.contact_base = self.contact_base, self.contact_base + count + 100
        return base

    @contextlib.contextmanager
    def counting(self):
        """Queries (per task, from the children) and pg_stat_database deltas of what runs inside the block."""
        import redis

        client, key, counts = redis.Redis.from_url(self.args.redis), self.env["BENCH_QUERY_KEY"], {}
        _settle(client, key)
        time.sleep(PG_STATS_IDLE_FLUSH)
        client.delete(key)
        before = _pg_counters(self.args.database)
        cpu_before = self._cpu()
        started = time.time()
        yield counts
        counts["elapsed"] = time.time() - started
        _settle(client, key)
        cpu_after = self._cpu()
        counts["cpu"] = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}
        time.sleep(PG_STATS_IDLE_FLUSH)
        counts["queries"] = _settle(client, key, quiet=0)  # the sweeps of the wait included, as in the database's
        after = _pg_counters(self.args.database)
        counts["db"] = {k: after[k] - before[k] for k in after}

    def _cpu(self) -> dict[str, float]:
        """CPU seconds so far of each part of the system (the bench itself is the contacts' load generator)."""
        roots = {"web (gunicorn)": [self.web_proc.pid], "workers (qcluster)": [p.pid for p in self.clusters],
                 "PostgreSQL": [self.postmaster] if self.postmaster else [], "Chatwoot stand-in": [self.standin_pid],
                 "Redis": self.redis_pids}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {**cpu_seconds(roots), "bench (the contacts)": usage.ru_utime + usage.ru_stime}

    def size(self) -> str:
        """"web 2x4, q 1x2": gunicorn workers x threads, qcluster processes x Q_WORKERS."""
        q, clusters = self.cluster_size
        return f"web {self.web_size[0]}x{self.web_size[1]}, q {clusters}x{q}"


# --- phases ------------------------------------------------------------------------------------------------------
def latency(stack: Stack) -> list[dict]:
    args = stack.args
    stack.use(args.web[0], args.q_workers[0])
    base = stack.next_contacts(args.conversations)
    with stack.counting() as counts:
        logs = run_all([paced(stack.standin, person(base + i, "lat"), SCRIPT * args.rounds, (1.0, 3.0), i)
                        for i in range(args.conversations)], timeout=40 * len(SCRIPT) * args.rounds)
    return [{"phase": "latency", "size": stack.size(), "logs": logs, **counts}]


def burst(stack: Stack) -> list[dict]:
    args = stack.args
    stack.use(args.web[0], args.q_workers[0])
    rng = random.Random(9)
    lines = [BURSTS[i % len(BURSTS)] for i in range(12)]
    base = stack.next_contacts(len(lines) + 4)
    plays = [bursty(stack.standin, person(base + i, "burst"), split, GAP, WINDOW + 1.0, rng.uniform(0, 2))
             for i, split in enumerate(lines)]
    logs = run_all(plays, timeout=60)
    bursts = [_burst_row(stack, log, split) for log, split in zip(logs, lines)]
    # Apart from the bursts: four contacts writing 3 lines a second load the workers, and their queue would be
    # measured instead of the folding.
    kinds = [kind for kind in NONSTOP for _ in range(2)]
    logs = run_all([nonstop(stack.standin, person(base + len(lines) + i, kind), NONSTOP[kind], GAP, NONSTOP_SECONDS,
                            WINDOW + 2.0) for i, kind in enumerate(kinds)], timeout=60)
    streams = [_nonstop_row(stack, log, kind) for log, kind in zip(logs, kinds)]
    return [{"phase": "burst", "bursts": bursts, "nonstop": streams}]


def _burst_row(stack: Stack, log, split: list[str]) -> dict:
    replies = stack.standin.replies(log.conversation_id) if log.conversation_id else []
    turns = coverage(stack.args.database, [log.conversation_id]) if log.conversation_id else {}
    return {"lines": split, "replies": len(replies), "turns": turns.get("turns", 0),
            "latency": log.latencies[0][1] if log.latencies else None, "error": log.error}


def _nonstop_row(stack: Stack, log, kind: str) -> dict:
    replies = stack.standin.replies(log.conversation_id) if log.conversation_id else []
    last_sent = log.sent[-1][1] if log.sent else 0
    after_last = [r.at - last_sent for r in replies if r.at >= last_sent]
    return {"kind": kind, "messages": len(log.sent), "replies": len(replies),
            "first": replies[0].at - log.sent[0][1] if replies and log.sent else None,
            "after_last": after_last[0] if after_last else None,
            "coverage": coverage(stack.args.database, [log.conversation_id]) if log.conversation_id else {},
            "error": log.error}


def saturation(stack: Stack) -> list[dict]:
    return [result for web in stack.args.web for q in stack.args.q_workers
            for result in saturation_one(stack, web, q)]


def clusters(stack: Stack) -> list[dict]:
    args = stack.args
    key = (args.web[0], args.q_workers[0], 1)
    results = [] if key in stack.saturated else saturation_one(stack, args.web[0], args.q_workers[0])
    stack.use(args.web[0], args.q_workers[0], clusters=2)
    return [*results, _saturated(stack, "clusters")]


def saturation_one(stack: Stack, web, q) -> list[dict]:
    stack.use(web, q)
    return [_saturated(stack, "saturation")]


def _saturated(stack: Stack, phase: str) -> dict:
    """The closed loop: `--contacts` contacts for `--saturation-seconds`, then the order and coverage checks."""
    args, texts = stack.args, list(MARKERS)
    base = stack.next_contacts(args.contacts)
    with stack.counting() as counts:
        started = time.time()
        stop_at = started + args.saturation_seconds
        logs = run_all([closed_loop(stack.standin, person(base + i, "sat"), texts, stop_at, GRACE, i)
                        for i in range(args.contacts)], timeout=args.saturation_seconds + GRACE + 10)
    ids = [log.conversation_id for log in logs if log.conversation_id]
    result = {"phase": phase, "size": stack.size(), "logs": logs, "started": started, "stop_at": stop_at,
              "order": order_check(stack.standin, logs), "coverage": coverage(args.database, ids), **counts}
    q, clusters_run = stack.cluster_size
    stack.saturated[(stack.web_size, q, clusters_run)] = result
    return result


PHASES = {"latency": latency, "burst": burst, "saturation": saturation, "clusters": clusters}


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
