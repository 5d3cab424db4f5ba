"""Simulated contacts for bench/turns.py, each in its own thread, talking to the Chatwoot stand-in: paced (reads the
answer, pauses, writes again), bursty (three lines 300 ms apart), non-stop (a line every 300 ms) and closed-loop
(writes as soon as the answer lands). What they sent and what came back is judged afterwards (`order_check`,
`coverage`): waiting here is pacing only, every time is stamped by the stand-in.

Contacts wait with the stand-in's long poll (`?after=N&wait=s`) instead of polling: sixty contacts looking every
50 ms would cost the 2-CPU machine a good part of the capacity the bench measures.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from _harness import JsonClient

REPLY_TIMEOUT = 20.0  # seconds a contact waits for an answer before it counts the message unanswered
# What the answer to each closed-loop question, and no other, contains (the seeded FAQs,
# agents/migrations/0002_seed_faqs.py: the delivery answer also says "horario de atención" and "pedido"): each answer
# is recognised by it, so order and duplicates are checked at the stand-in.
MARKERS = {"¿a qué hora abren?": "Nuestro horario", "¿hacen despacho a domicilio?": "Despachamos",
           "¿qué medios de pago aceptan?": "Aceptamos transferencia", "¿cuál es el pedido mínimo?": "El pedido mínimo"}


@dataclass(frozen=True)
class Reply:
    id: int
    content: str
    at: float  # when the stand-in received it
    private: bool = False


class Standin(JsonClient):
    def inbound(self, text: str, person: dict, conversation_id: int | None) -> dict:
        sent = self.call("POST", "/standin/inbound", {"content": text, "contact": person,
                                                      "conversation_id": conversation_id})
        if sent["webhook_status"] != 200:
            raise RuntimeError(f"webhook answered {sent['webhook_status']}")
        return sent

    def bot_messages(self, conversation_id: int, after: int = 0, wait: float = 0.0) -> list[Reply]:
        """Everything the bot posted in the conversation (private notes too), oldest first; with `wait`, first
        waits up to that long for more than `after` of them."""
        query = f"?after={after}&wait={wait:.3f}" if wait > 0 else ""
        data = self.call("GET", f"/standin/conversations/{conversation_id}/messages{query}")
        return [Reply(m["id"], m.get("content") or "", data["received_at"][str(m["id"])], bool(m.get("private")))
                for m in data["payload"]]

    def replies(self, conversation_id: int) -> list[Reply]:
        """The public ones: what the contact reads."""
        return [r for r in self.bot_messages(conversation_id) if not r.private]

    def wait_new(self, conversation_id: int, known: int, deadline: float) -> tuple[list[Reply], int]:
        """The public replies beyond the first `known` bot messages, once there is one, and the new count of bot
        messages; raises TimeoutError at `deadline`."""
        while (remaining := deadline - time.time()) > 0:
            posted = self.bot_messages(conversation_id, after=known, wait=min(remaining, 10.0))
            new = [r for r in posted[known:] if not r.private]
            if new:
                return new, len(posted)
        raise TimeoutError(f"conversation {conversation_id}: no reply within the time allowed")


def person(n: int, kind: str) -> dict:
    return {"name": f"Cliente {kind} {n}", "phone_number": f"+569{n:08d}"}


@dataclass
class Log:
    """One contact's run: what it sent ((text, webhook answered at) per message) and what it measured."""

    conversation_id: int | None = None
    sent: list[tuple[str, float]] = field(default_factory=list)
    latencies: list[tuple[str, float, float]] = field(default_factory=list)  # (text, latency, reply at)
    error: str = ""


def run_all(targets: list, timeout: float) -> list[Log]:
    """Run each `target(log)` in its own thread; returns the logs once all are done (or `timeout` passed)."""
    logs = [Log() for _ in targets]
    threads = [threading.Thread(target=_guarded, args=(t, log), daemon=True) for t, log in zip(targets, logs)]
    for thread in threads:
        thread.start()
    deadline = time.time() + timeout
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.time()))
    return logs


def _guarded(target, log: Log) -> None:
    try:
        target(log)
    except Exception as exc:  # noqa: BLE001 - reported with the phase; the other contacts go on
        log.error = f"{exc.__class__.__name__}: {exc}"


def _send(standin: Standin, log: Log, who: dict, text: str) -> dict:
    sent = standin.inbound(text, who, log.conversation_id)
    log.conversation_id = sent["conversation_id"]
    log.sent.append((text, sent["webhook_answered_at"]))
    return sent


# --- paced: the latency phase ----------------------------------------------------------------------------------------
def paced(standin: Standin, who: dict, script: list[str], pause: tuple[float, float], seed: int):
    def play(log: Log) -> None:
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, pause[1]))  # contacts do not all write in the same millisecond
        known = 0
        for text in script:
            sent = _send(standin, log, who, text)
            new, _ = standin.wait_new(log.conversation_id, known, time.time() + REPLY_TIMEOUT)
            log.latencies.append((text, new[0].at - sent["webhook_answered_at"], new[0].at))
            time.sleep(rng.uniform(*pause))  # every reply of the turn lands meanwhile; then the contact writes
            known = len(standin.bot_messages(log.conversation_id))
    return play


# --- bursts: the burst phase -------------------------------------------------------------------------------------
def bursty(standin: Standin, who: dict, lines: list[str], gap: float, settle: float, delay: float):
    """Writes `lines` `gap` apart, then counts the replies that came until `settle` after the first one."""
    def play(log: Log) -> None:
        time.sleep(delay)
        _lines_apart(standin, log, who, lines, gap)
        new, _ = standin.wait_new(log.conversation_id, 0, time.time() + REPLY_TIMEOUT)
        log.latencies.append((lines[-1], new[0].at - log.sent[-1][1], new[0].at))
        time.sleep(settle)  # a second answer to the same burst would have landed by now
    return play


def _lines_apart(standin: Standin, log: Log, who: dict, lines: list[str], gap: float) -> None:
    started = time.time()
    for i, text in enumerate(lines):
        time.sleep(max(0.0, started + i * gap - time.time()))  # the gap between sends, whatever a send took
        _send(standin, log, who, text)


def nonstop(standin: Standin, who: dict, lines: list[str], gap: float, seconds: float, settle: float):
    """Writes a line every `gap` for `seconds`, then waits `settle` for the answer to the last ones."""
    def play(log: Log) -> None:
        count = int(seconds / gap) + 1
        _lines_apart(standin, log, who, [lines[i % len(lines)] for i in range(count)], gap)
        time.sleep(settle)
    return play


# --- closed loop: the saturation and clusters phases --------------------------------------------------------------
def closed_loop(standin: Standin, who: dict, texts: list[str], stop_at: float, grace: float, seed: int):
    """Writes the next question as soon as an answer lands, until `stop_at`; an answer may take until `grace` after
    it. A message left unanswered ends the contact (the stand-in check counts it missing)."""
    def play(log: Log) -> None:
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, 1.0))
        known, i = 0, rng.randrange(len(texts))
        while time.time() < stop_at:
            text = texts[i % len(texts)]
            i += 1
            sent = _send(standin, log, who, text)
            deadline = min(time.time() + REPLY_TIMEOUT, stop_at + grace)
            new, known = standin.wait_new(log.conversation_id, known, deadline)
            log.latencies.append((text, new[0].at - sent["webhook_answered_at"], new[0].at))
    return play


@dataclass
class OrderCheck:
    conversations: int = 0
    messages: int = 0
    replies: int = 0
    missing: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.messages > 0 and not (self.missing or self.duplicated or self.out_of_order)


def order_check(standin: Standin, logs: list[Log]) -> OrderCheck:
    """Per conversation, at the stand-in: the answers, in the order Chatwoot holds them, must be one per message
    and answer the messages in the order they were sent (each answer recognised by its FAQ's marker)."""
    check = OrderCheck()
    for log in logs:
        if log.conversation_id is None:
            continue
        replies = standin.replies(log.conversation_id)
        expected = [MARKERS[text] for text, _ in log.sent]
        got = [next((m for m in MARKERS.values() if m in r.content), "?") for r in replies]
        check.conversations += 1
        check.messages += len(expected)
        check.replies += len(got)
        check.missing += max(0, len(expected) - len(got))
        check.duplicated += max(0, len(got) - len(expected))
        wrong = sum(e != g for e, g in zip(expected, got))
        check.out_of_order += wrong
        if (wrong or len(got) != len(expected)) and len(check.notes) < 5:
            check.notes.append(f"conversation {log.conversation_id}: sent {expected}, answered {got}")
    return check


def coverage(db_url: str, conversation_ids: list[int]) -> dict:
    """From our database: the contact's messages of these conversations, how many no turn answered and how many
    more than one turn did."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as db:
        pks = [row[0] for row in db.execute("SELECT id FROM conversations_conversation WHERE chatwoot_id = ANY(%s)",
                                            (conversation_ids,))]
        inbound = [row[0] for row in db.execute(
            "SELECT id FROM conversations_message WHERE conversation_id = ANY(%s) AND direction = 'inbound' "
            "AND NOT private", (pks,))]
        turns = [row[0] for row in db.execute("SELECT message_ids FROM agents_turn WHERE conversation_id = ANY(%s)",
                                              (pks,))]
    covering: dict[int, int] = {}
    for message_ids in turns:
        for pk in message_ids or []:
            covering[pk] = covering.get(pk, 0) + 1
    return {"messages": len(inbound), "turns": len(turns),
            "unanswered": sum(covering.get(pk, 0) == 0 for pk in inbound),
            "answered_twice": sum(covering.get(pk, 0) > 1 for pk in inbound)}
