"""Delayed tasks live in a worker's memory: when the worker process ends (django-q2 recycles it after `recycle`
tasks), what it still holds is enqueued at once instead of waiting for a sweeper."""

from __future__ import annotations

import multiprocessing

from core import queue


def _worker_that_defers_and_ends(sent):
    queue.enqueue_now = lambda func, *args: sent.put((func, args))  # the broker's place, in this child only
    queue._LATER.add(60.0, "agents.tasks.process_inbound_message", (7, 3))
    # returning ends the child the way a recycled django-q2 worker ends: through multiprocessing's exit handlers


def test_a_worker_that_ends_enqueues_the_turns_it_was_holding_for_later():
    context = multiprocessing.get_context("fork")
    sent = context.Queue()
    child = context.Process(target=_worker_that_defers_and_ends, args=(sent,))
    child.start()
    child.join(timeout=20)
    assert child.exitcode == 0
    assert sent.get(timeout=5) == ("agents.tasks.process_inbound_message", (7, 3))


def test_flush_hands_over_everything_waiting_in_due_order(monkeypatch):
    later, sent = queue._Later(), []
    monkeypatch.setattr(queue, "enqueue_now", lambda func, *args: sent.append((func, args)))
    later._heap = [(5.0, 2, "b", (2,)), (1.0, 1, "a", (1,))]
    assert later.flush() == 2
    assert sent == [("a", (1,)), ("b", (2,))] and later._heap == []
