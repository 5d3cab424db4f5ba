"""The fault classes of bench/faults.py: what each injects, when, and when its fault is over.

Each `inject_*` runs in the bench's main thread while the phase's contacts talk, and returns the moment the
fault ended (recovery and the 30 s answer budget count from there). `arm_*` callbacks arm a fault for one
conversation as soon as it exists.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from _harness import kill_tree, worker_tasks

TURN_TASK = "agents.tasks.process_inbound_message"


@dataclass
class Run:
    """One phase in progress: the bench's handles, when it started, what was injected."""

    bench: object
    rng: random.Random
    start: float = field(default_factory=time.time)
    window: float = 10.0
    events: list[str] = field(default_factory=list)

    @property
    def planned_end(self) -> float:
        return self.start + self.window

    def at(self, offset: float) -> None:
        """Sleep until `offset` seconds into the phase."""
        time.sleep(max(0.0, self.start + offset - time.time()))

    def note(self, text: str) -> None:
        self.events.append(f"t+{time.time() - self.start:4.1f}s {text}")


@dataclass(frozen=True)
class Phase:
    name: str
    injects: str
    contacts: int
    scripts: tuple[str, ...]
    window: float  # seconds from the start within which the fault is over (the planned end)
    inject: Callable[[Run], float]
    on_conversation: Callable[[Run, object], None] | None = None
    llm_latency: float = 0.05
    odoo_latency: float = 0.0


# --- nothing (the harness's own check) ------------------------------------------------------------------------------
def inject_nothing(run: Run) -> float:
    return run.start


# --- webhook deliveries ---------------------------------------------------------------------------------------------
def _webhook(kind: str, times: int, **match) -> dict:
    return {"kind": kind, "times": times, **match}


DELIVERY_FAULTS = [
    _webhook("webhook_duplicate", 6, event="message_created", message_type="incoming", same_delivery_id=True),
    _webhook("webhook_duplicate", 6, event="message_created", message_type="incoming", same_delivery_id=False),
    _webhook("webhook_out_of_order", 5, event="message_created", message_type="incoming", seconds=1.5),
    _webhook("webhook_delay", 4, event="message_created", message_type="incoming", seconds=2),
    _webhook("webhook_out_of_order", 3, event="conversation_created", seconds=1),
    _webhook("webhook_duplicate", 3, event="conversation_created", same_delivery_id=False),
    # Our own replies' echoes: twice (both ways), late, out of order, and one never (an echo is not retried).
    _webhook("webhook_duplicate", 4, event="message_created", message_type="outgoing", same_delivery_id=True),
    _webhook("webhook_duplicate", 4, event="message_created", message_type="outgoing", same_delivery_id=False),
    _webhook("webhook_out_of_order", 4, event="message_created", message_type="outgoing", seconds=1.5),
    _webhook("webhook_drop", 2, event="message_created", message_type="outgoing"),
]


def inject_deliveries(run: Run) -> float:
    chatwoot = run.bench.chatwoot
    chatwoot.call("POST", "/standin/faults", {"faults": DELIVERY_FAULTS})
    run.note(f"armed {sum(f['times'] for f in DELIVERY_FAULTS)} webhook faults")
    return _until_used(run, chatwoot)


def _until_used(run: Run, chatwoot) -> float:
    """Until every armed Chatwoot fault was used, or the window is over; then disarm what is left."""
    while time.time() < run.planned_end:
        if not chatwoot.call("GET", "/standin/faults")["armed"]:
            break
        time.sleep(0.5)
    state = chatwoot.call("DELETE", "/standin/faults")
    used = {}
    for entry in state["applied"]:
        used[entry["kind"]] = used.get(entry["kind"], 0) + 1
    run.note(f"applied {used}; left unused: {sum(f['remaining'] for f in state['armed'])}")
    return time.time()


# --- Chatwoot REST --------------------------------------------------------------------------------------------------
REST_FAULTS = [
    {"kind": "rate_limit", "times": 2, "retry_after": 2},
    {"kind": "error_before", "status": 500}, {"kind": "error_before", "status": 503},
    {"kind": "error_after", "status": 500}, {"kind": "error_after", "status": 502},
    {"kind": "timeout_before", "seconds": 4}, {"kind": "timeout_after", "seconds": 4},
    {"kind": "timeout_then_apply", "seconds": 4},
    {"kind": "reset_before"}, {"kind": "reset_after"},
]


def arm_rest_fault(run: Run, contact) -> None:
    """The contact's conversation gets one REST fault on the bot's message posts (kinds dealt in turn)."""
    spec = dict(REST_FAULTS[contact.index % len(REST_FAULTS)])
    spec.update(method="POST", path=r"/messages$", conversation_id=contact.conversation_id)
    run.bench.chatwoot.call("POST", "/standin/faults", spec)


def inject_chatwoot(run: Run) -> float:
    run.at(3)  # every conversation exists (and has its fault) by now
    return _until_used(run, run.bench.chatwoot)


# --- Odoo -----------------------------------------------------------------------------------------------------------
def _odoo(method: str, kind: str, phase: str, **extra) -> dict:
    return {"kind": kind, "phase": phase, "model": "purchase.order", "method": method, **extra}


ODOO_FAULTS = [
    _odoo("create", "http", "before", status=500), _odoo("create", "reset", "after"),
    _odoo("create", "timeout", "after", seconds=4), _odoo("create", "fault", "after"),
    _odoo("create", "http", "after", status=502),
    _odoo("write", "reset", "before"), _odoo("write", "http", "after", status=500),
    _odoo("write", "timeout", "after", seconds=4), _odoo("write", "fault", "after"),
    _odoo("button_confirm", "http", "after", status=503), _odoo("button_confirm", "reset", "after"),
    _odoo("button_confirm", "fault", "after"), _odoo("button_confirm", "timeout", "after", seconds=4),
    _odoo("button_cancel", "fault", "after"), _odoo("button_cancel", "reset", "after"),
    _odoo("button_cancel", "http", "after", status=500), _odoo("button_cancel", "timeout", "before", seconds=4),
]
ODOO_DOWN_AT, ODOO_DOWN_SECONDS = 9.0, 4.0


def inject_odoo(run: Run) -> float:
    odoo = run.bench.odoo
    odoo.call("POST", "/standin/faults", {"faults": ODOO_FAULTS})
    run.note(f"armed {len(ODOO_FAULTS)} Odoo faults on purchase.order create/write/button_confirm/button_cancel")
    run.at(ODOO_DOWN_AT)
    odoo.call("POST", "/standin/faults", {"kind": "down", "seconds": ODOO_DOWN_SECONDS})
    run.note(f"Odoo down for {ODOO_DOWN_SECONDS:.0f} s")
    run.at(ODOO_DOWN_AT + ODOO_DOWN_SECONDS + 0.5)
    while time.time() < run.planned_end and _odoo_armed(odoo):
        time.sleep(0.5)
    state = odoo.call("GET", "/standin/faults")
    odoo.call("DELETE", "/standin/faults")
    used = {}
    for entry in state["applied"]:
        label = f"{entry['method'] or 'down'}:{entry['kind']}-{entry['phase']}"
        used[label] = used.get(label, 0) + 1
    run.note(f"applied {len(state['applied'])}: {used}; left unused: {len(state['armed'])}")
    return time.time()


def _odoo_armed(odoo) -> bool:
    return bool(odoo.call("GET", "/standin/faults")["armed"])


# --- the LLM --------------------------------------------------------------------------------------------------------
LLM_MODES = [(0.0, "5xx"), (4.0, "429"), (8.0, "garbage"), (12.0, "hang")]
LLM_FAULT_SECONDS = 16.0


def inject_llm(run: Run) -> float:
    llm = run.bench.llm
    for offset, mode in LLM_MODES:
        run.at(offset)
        llm.set_mode(mode, retry_after=1 if mode == "429" else None)
        run.note(f"LLM answers {mode}")
    run.at(LLM_FAULT_SECONDS)
    llm.set_mode(None)
    run.note("LLM healthy")
    return time.time()


# --- processes ------------------------------------------------------------------------------------------------------
WORKER_KILLS_AT = (3.0, 7.0, 11.0)


def inject_worker_kills(run: Run) -> float:
    for offset in WORKER_KILLS_AT:
        run.at(offset)
        pid, task = _busy_worker(run)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            run.note(f"worker {pid} was gone already")
            continue
        run.note(f"kill -9 worker {pid} ({task})")
    return time.time()


def _busy_worker(run: Run, wait: float = 3.0) -> tuple[int, str]:
    """A worker in the middle of a turn (for at most `wait` seconds of looking), else of any task, else any."""
    bench, deadline = run.bench, time.time() + wait
    while True:
        tasks = worker_tasks(bench.worker_dir, bench.qcluster.pid)
        turns = sorted(pid for pid, (task, _) in tasks.items() if task == TURN_TASK)
        busy = sorted(pid for pid, (task, _) in tasks.items() if task != "idle")
        if turns or (busy and time.time() >= deadline) or (tasks and time.time() >= deadline + 2):
            pid = run.rng.choice(turns or busy or sorted(tasks))
            return pid, tasks[pid][0]
        if time.time() >= deadline + 5:
            raise RuntimeError("no qcluster worker found")
        time.sleep(0.02)


CLUSTER_KILL_AT, CLUSTER_DOWN_SECONDS = 4.0, 2.0


def inject_cluster_kill(run: Run) -> float:
    run.at(CLUSTER_KILL_AT)
    _, task = _busy_worker(run)
    kill_tree(run.bench.qcluster)
    run.note(f"kill -9 the whole qcluster (a worker was running {task})")
    time.sleep(CLUSTER_DOWN_SECONDS)
    run.bench.start_qcluster()
    run.note("qcluster started again")
    return time.time()


FLUSHES_AT = (3.0, 8.0)


def inject_flushdb(run: Run) -> float:
    for offset in FLUSHES_AT:
        run.at(offset)
        _, task = _busy_worker(run)
        queued = sum(run.bench.redis.llen(k) for k in run.bench.redis.keys("django_q:*:q"))
        run.bench.redis.flushdb()
        run.note(f"FLUSHDB ({queued} tasks queued, a worker running {task})")
    return time.time()


def _mixed(n: int) -> tuple[str, ...]:
    return tuple(("info", "confirm", "cancel")[i % 3] for i in range(n))


PHASES = [
    Phase("baseline", "nothing (the harness's own check)", 8, ("info", "confirm"), 0, inject_nothing),
    Phase("deliveries", "webhooks twice (same and new delivery id), late, out of order; echoes too",
          12, _mixed(3), 15, inject_deliveries),
    Phase("worker-kill", "kill -9 of a qcluster worker mid-turn, 3 times", 12, _mixed(3), 12,
          inject_worker_kills, llm_latency=0.6, odoo_latency=0.2),
    Phase("cluster-kill", "kill -9 of the whole qcluster mid-turn, restarted 2 s later", 12, _mixed(3), 7,
          inject_cluster_kill, llm_latency=0.4, odoo_latency=0.2),
    Phase("redis-flush", "Redis FLUSHDB mid-run, twice (queue, leases, cache)", 12, _mixed(3), 9,
          inject_flushdb, llm_latency=0.4),
    Phase("chatwoot", "posts: 429 + Retry-After, 5xx and timeouts before/after the message exists, resets",
          20, ("info", "info", "confirm", "cancel"), 25, inject_chatwoot, on_conversation=arm_rest_fault),
    Phase("odoo", "create/write/confirm/cancel: 5xx, resets, timeouts, faults after commit; Odoo down 4 s",
          14, ("confirm", "cancel"), 60, inject_odoo, odoo_latency=0.05),
    Phase("llm", "LLM 5xx, 429, garbage, hanging (4 s each)", 12, _mixed(3), LLM_FAULT_SECONDS, inject_llm),
]


def phases_named(names: str) -> list[Phase]:
    """The classes asked for, always after the baseline: it also warms the workers up (their first turn imports
    the agents and the OpenAI SDK, seconds a class's first conversations would otherwise be charged)."""
    if not names:
        return PHASES
    wanted = ["baseline"] + [n.strip() for n in names.split(",") if n.strip()]
    unknown = set(wanted) - {p.name for p in PHASES}
    if unknown:
        sys.exit(f"unknown class(es) {', '.join(sorted(unknown))}; known: {', '.join(p.name for p in PHASES)}")
    return [p for p in PHASES if p.name in wanted]
