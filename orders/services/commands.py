"""An order's Odoo commands: queued in the caller's transaction, run after commit, one runner per order at a time,
in the order they were queued, each repeated until Odoo answered.

A command that fails with an unknown outcome (HTTP 5xx, connection reset, timeout, a fault raised after Odoo
committed) is "maybe done": it goes back to pending with `maybe_done`, and its next attempt looks the effect up
in Odoo before repeating it (see `orders.services.odoo_ops`). A runner that dies mid-command leaves the command
`running`; whoever takes the order's lease next treats it the same way. A command that fails transiently holds
back the ones queued after it (a confirmation waits for the push of the lines it confirms).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.locks import kept_alive
from core.queue import enqueue_now, enqueue_on_commit, redrive_once
from orders.models import CommandKind, CommandState, OdooCommand, PurchaseOrder
from orders.services.odoo_ops import command_attempt

log = logging.getLogger(__name__)
MAX_COMMANDS_PER_RUN = 20
RUN_TASK = "orders.tasks.run_odoo_commands"
SWEEP_BATCH = 200
PER_VERSION_KINDS = (CommandKind.PUSH, CommandKind.CONFIRM, CommandKind.MARK_SENT)
_caller_runs = ContextVar("orders_caller_runs_commands", default=False)


@contextlib.contextmanager
def commands_run_by_caller():
    """Within this block the caller runs the order's commands itself right after (the agent's turn, which marks
    a quote sent in Odoo once it has posted the quote): `commands_nudge` enqueues nothing. If the caller dies
    first, the command sweep runs them."""
    token = _caller_runs.set(True)
    try:
        yield
    finally:
        _caller_runs.reset(token)


def commands_nudge(*, order_id: int) -> None:
    """Run the order's commands after commit (a task), unless the caller runs them itself."""
    if not _caller_runs.get():
        enqueue_on_commit(RUN_TASK, order_id)


def command_queue(*, order: PurchaseOrder, kind: str, lines_version: int, actor: str, reason: str = "",
                  user=None, turn_id: int | None = None, fresh: bool = False) -> OdooCommand:
    """Queue a command (caller holds the transaction). The key makes queueing the same command twice a no-op.
    `fresh`: the order was created in this transaction, so it has no commands yet (one INSERT, no look-up)."""
    fields = {"order": order, "kind": kind, "lines_version": lines_version, "actor": actor[:150], "reason": reason,
              "user": user, "turn_id": turn_id}
    key = _key(order, kind, lines_version)
    if fresh:
        return OdooCommand.objects.create(key=key, **fields)
    command, _ = OdooCommand.objects.get_or_create(key=key, defaults=fields)
    return command


def command_owed(*, order: PurchaseOrder, kind: str, lines_version: int, actor: str,
                 turn_id: int | None = None) -> None:
    """Queue a command owed once per version of the lines, in one INSERT … ON CONFLICT DO NOTHING: owing it a
    second time (a notice told again after a retry) is a no-op. Caller holds the transaction."""
    if kind not in PER_VERSION_KINDS:  # others are asked for anew each time: their key is not per version
        raise ValueError(f"{kind} is not owed once per version of the lines")
    OdooCommand.objects.bulk_create([OdooCommand(
        key=_key(order, kind, lines_version), order=order, kind=kind, lines_version=lines_version,
        actor=actor[:150], turn_id=turn_id)], ignore_conflicts=True)


def _key(order: PurchaseOrder, kind: str, lines_version: int) -> str:
    """Pushes, confirmations and marking the quote sent are owed once per version of the lines. Approvals and
    cancellations are asked for anew each time (staff may approve again once Odoo's rights are fixed); a second
    one of a finished decision is dropped when it runs (the order is no longer awaiting it)."""
    if kind in PER_VERSION_KINDS:
        return f"{order.idempotency_key}:{kind}:{lines_version}"
    return f"{order.idempotency_key}:{kind}:{uuid.uuid4().hex[:12]}"


def commands_supersede(*, order_id: int, kinds: tuple[str, ...]) -> int:
    """Drop pending commands a newer change made pointless (a push of lines that were changed again)."""
    return OdooCommand.objects.filter(order_id=order_id, kind__in=kinds, state=CommandState.PENDING).update(
        state=CommandState.SUPERSEDED, updated_at=timezone.now())


def odoo_commands_run(*, order_id: int) -> list[OdooCommand]:
    """Run the order's due commands, oldest first. Safe to call twice or concurrently (the second caller finds
    the order leased, asks the holder to look again before it lets go, and returns at once). Call outside any
    transaction: it talks to Odoo."""
    finished: list[OdooCommand] = []
    while True:
        lease = _OrderLease.take(order_id)
        if lease is None:
            # A command queued while another runner holds the order (a notice told mid-run queues a mark_sent)
            # would otherwise wait for the sweep.
            cache.set(_look_again_key(order_id), 1, timeout=settings.ODOO_COMMAND_LEASE_SECONDS * 3)
            return finished
        try:
            with kept_alive(f"odoo-commands:{order_id}", ttl=settings.ODOO_COMMAND_LEASE_SECONDS, renew=lease.renew):
                for command in _waiting(order_id):
                    if not _claim(command):
                        break
                    if not command_attempt(command):
                        break  # retried later; the commands behind it wait
                    finished.append(command)
        finally:
            lease.release()
        if not cache.delete(_look_again_key(order_id)):
            return finished


def _look_again_key(order_id: int) -> str:
    return f"orders:commands:look-again:{order_id}"


def _waiting(order_id: int) -> list[OdooCommand]:
    """The order's unfinished commands in order, up to the first one not due yet. A command still `running`
    while we hold the lease was left by a runner that died: it may have reached Odoo, so its next attempt looks
    before it repeats (maybe_done)."""
    now = timezone.now()
    waiting = []
    for command in OdooCommand.objects.filter(order_id=order_id, state__in=(
            CommandState.PENDING, CommandState.RUNNING)).order_by("id")[:MAX_COMMANDS_PER_RUN]:
        if command.state == CommandState.PENDING and command.next_attempt_at and command.next_attempt_at > now:
            break
        waiting.append(command)
    return waiting


def _claim(command: OdooCommand) -> bool:
    interrupted = command.state == CommandState.RUNNING
    claimed = OdooCommand.objects.filter(pk=command.pk, state=command.state, attempts=command.attempts).update(
        state=CommandState.RUNNING, attempts=command.attempts + 1, maybe_done=command.maybe_done or interrupted,
        next_attempt_at=None, updated_at=timezone.now())
    command.state, command.attempts = CommandState.RUNNING, command.attempts + 1
    command.maybe_done = command.maybe_done or interrupted
    return bool(claimed)


class _OrderLease:
    """The order's command lease: a column on the order (so it holds when Redis is flushed), short, and renewed
    by the process's lease heartbeat while its runner works. A runner killed mid-command frees the order within
    ODOO_COMMAND_LEASE_SECONDS, and the next one looks up what the killed one may have done (maybe_done)."""

    def __init__(self, order_id: int, until: datetime):
        self.order_id, self.until = order_id, until
        self._guard = threading.Lock()  # the heartbeat thread renews while this one may release

    @classmethod
    def take(cls, order_id: int) -> "_OrderLease | None":
        now = timezone.now()
        until = now + timedelta(seconds=settings.ODOO_COMMAND_LEASE_SECONDS)
        taken = PurchaseOrder.objects.filter(pk=order_id).filter(
            Q(commands_lease_until__isnull=True) | Q(commands_lease_until__lt=now)).update(commands_lease_until=until)
        return cls(order_id, until) if taken else None

    def renew(self) -> bool:
        with self._guard:
            until = timezone.now() + timedelta(seconds=settings.ODOO_COMMAND_LEASE_SECONDS)
            renewed = PurchaseOrder.objects.filter(pk=self.order_id, commands_lease_until=self.until).update(
                commands_lease_until=until)
            if renewed:
                self.until = until
            return bool(renewed)

    def release(self) -> None:
        # Only our own lease: if it lapsed and another runner took the order, theirs stays.
        with self._guard:
            PurchaseOrder.objects.filter(pk=self.order_id, commands_lease_until=self.until).update(
                commands_lease_until=None)


def odoo_commands_sweep(*, now: datetime | None = None) -> dict:
    """Re-drive commands whose runner is gone (broker dropped the task, worker killed) or whose retry is due."""
    now = now or timezone.now()
    due = (Q(state=CommandState.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))) | Q(
        state=CommandState.RUNNING)
    free = Q(order__commands_lease_until__isnull=True) | Q(order__commands_lease_until__lt=now)
    order_ids = _due_orders(due & free)
    finished = 0
    for order_id in order_ids:
        try:
            finished += len(odoo_commands_run(order_id=order_id))
        except Exception:  # noqa: BLE001 - one order's trouble must not stop the sweep
            log.exception("odoo commands of order %s failed", order_id)
    return {"orders": len(order_ids), "finished": finished}


def odoo_commands_redrive(*, now: datetime | None = None) -> int:
    """Fast sweep: enqueue a run for each order with due commands and no runner (cheap: no Odoo call here)."""
    now = now or timezone.now()
    due = (Q(state=CommandState.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))) | Q(
        state=CommandState.RUNNING)
    free = Q(order__commands_lease_until__isnull=True) | Q(order__commands_lease_until__lt=now)
    order_ids = [order_id for order_id in _due_orders(due & free) if redrive_once(f"odoo:{order_id}")]
    for order_id in order_ids:
        enqueue_now(RUN_TASK, order_id)
    return len(order_ids)


def _due_orders(due: Q) -> list[int]:
    # order_by(): the model's default ordering (id) would join the DISTINCT and list an order once per command.
    return list(OdooCommand.objects.filter(due).order_by("order_id").values_list("order_id", flat=True)
                .distinct()[:SWEEP_BATCH])
