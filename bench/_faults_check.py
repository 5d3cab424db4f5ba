"""Judging a phase of bench/faults.py from the records: what the contacts sent (the driver), what Chatwoot holds
(the stand-in's records), what our database says (turns, messages, orders, commands) and what Odoo holds.

- answered: the contact's message is stored, exactly one turn covers it, and one of that turn's replies (its own,
  or a notice it caused) reached Chatwoot, no later than 30 s after the fault's end (or after the message).
- to staff: the bot handed the conversation over (by design: staff answer), so it rightly says nothing more.
- lost: anything else (never stored, no turn, no reply that reached Chatwoot, or too late).
- recovery: from the fault's end to the last reply (notices included: the quote that follows "we received your
  order") of the turns that answered messages written before it ended; the target is at most 30 s.
- duplicated replies: Chatwoot holds more copies of a text in a conversation than we have rows for it (a post
  repeated), plus messages that two turns answered.
- duplicated orders: Odoo orders beyond the first carrying one local order's key; orphans: Odoo orders of the
  phase's conversations that no local order points to or carries the key of; disagreements: local state or total
  that differ from what Odoo holds, once the commands are finished.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from _faults_drive import ANSWER_WITHIN, Sent
from _harness import JsonClient

KEY = re.compile(r"\[([0-9a-f]{32})\]")
CONVERSATION = re.compile(r"Chatwoot conversation (\d+) \[")
# Our states → the Odoo states they may stand for (purchase mode; `to_approve` may wait in Odoo as draft or sent).
ODOO_STATES = {"draft": {"draft", "sent"}, "sent": {"draft", "sent"}, "to_approve": {"draft", "sent", "to approve"},
               "confirmed": {"purchase"}, "received": {"purchase", "done"}, "cancelled": {"cancel"}}


@dataclass
class Verdict:
    name: str
    conversations: int = 0
    sent: int = 0
    answered: int = 0
    to_staff: int = 0
    lost: int = 0
    duplicated_replies: int = 0
    answered_twice: int = 0
    duplicated_orders: int = 0
    orphan_orders: int = 0
    disagreements: int = 0
    orders: int = 0
    recovery: float | None = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return not (self.lost or self.duplicated_replies or self.answered_twice or self.duplicated_orders
                    or self.orphan_orders or self.disagreements) and self.sent > 0 and self.recovery is not None \
            and self.recovery <= ANSWER_WITHIN


class Records:
    """Everything the verdict reads, fetched once after the phase has settled."""

    def __init__(self, db, chatwoot: JsonClient, odoo: JsonClient, conversation_ids: list[int]):
        self.cw_ids = conversation_ids
        self.times = {}  # Chatwoot message id → when Chatwoot stored it (our replies)
        self.posted = {cid: [] for cid in conversation_ids}  # what Chatwoot holds from us, per conversation
        for cid in conversation_ids:
            data = chatwoot.call("GET", f"/standin/conversations/{cid}/messages")
            self.times.update({int(k): v for k, v in data["received_at"].items()})
            self.posted[cid] = data["payload"]
        self.odoo_orders = odoo.call("GET", "/standin/orders").get("purchase.order", [])
        self._read_db(db)

    def _read_db(self, db) -> None:
        rows = db.execute("SELECT id, chatwoot_id, mode FROM conversations_conversation WHERE chatwoot_id = ANY(%s)",
                          (self.cw_ids,)).fetchall()
        self.conversation_pk = {cw: pk for pk, cw, _ in rows}
        self.mode = {cw: mode for _, cw, mode in rows}
        pks = list(self.conversation_pk.values())
        self.messages = db.execute(
            "SELECT id, conversation_id, chatwoot_id, direction, origin, content, private, status, answer "
            "FROM conversations_message WHERE conversation_id = ANY(%s)", (pks,)).fetchall()
        self.turns = db.execute("SELECT id, conversation_id, message_ids, reply_message_ids, handoff_reason, error "
                                "FROM agents_turn WHERE conversation_id = ANY(%s)", (pks,)).fetchall()
        self.orders = db.execute("SELECT id, idempotency_key, odoo_id, state, amount_total FROM orders_purchaseorder "
                                 "WHERE conversation_id = ANY(%s)", (pks,)).fetchall()
        order_ids = [row[0] for row in self.orders]
        self.commands = dict(db.execute("SELECT state, count(*) FROM orders_odoocommand WHERE order_id = ANY(%s) "
                                        "GROUP BY state", (order_ids,)).fetchall())


def judge(name: str, sent: list[Sent], records: Records, fault_end: float) -> Verdict:
    verdict = Verdict(name, conversations=len(records.cw_ids), sent=len(sent))
    _judge_messages(verdict, sent, records, fault_end)
    _judge_posts(verdict, records)
    _judge_orders(verdict, records)
    return verdict


# --- messages ------------------------------------------------------------------------------------------------------
def _judge_messages(verdict: Verdict, sent: list[Sent], records: Records, fault_end: float) -> None:
    inbound = {row[2]: row for row in records.messages if row[3] == "inbound"}
    by_pk = {row[0]: row for row in records.messages}
    covering: dict[int, list] = {}
    for turn in records.turns:
        for message_pk in turn[2] or []:
            covering.setdefault(message_pk, []).append(turn)
    reasons, last_answer = Counter(), None
    for message in sent:
        status, (answered_at, last_reply_at) = _one_message(message, inbound, covering, by_pk, records)
        due = max(message.at, fault_end) + ANSWER_WITHIN
        if status == "answered" and answered_at > due:
            status = f"answered {answered_at - due:.0f} s too late"
        if status == "answered":
            verdict.answered += 1
            if message.at <= fault_end:
                last_answer = max(last_answer or last_reply_at, last_reply_at)
        elif status == "to staff":
            verdict.to_staff += 1
        elif status == "twice":
            verdict.answered_twice += 1
            verdict.answered += 1
        else:
            verdict.lost += 1
            reasons[status] += 1
            verdict.notes.append(f"lost: conversation {message.conversation_id} {message.text!r}: {status}")
    verdict.recovery = None if verdict.lost else max(0.0, (last_answer or fault_end) - fault_end)
    if verdict.recovery is not None and verdict.recovery > ANSWER_WITHIN:
        verdict.notes.append(f"slow: the last reply came {verdict.recovery:.0f} s after the fault's end")


def _one_message(message: Sent, inbound: dict, covering: dict, by_pk: dict, records: Records):
    """(status, (first reply, last reply)) of one message the contact sent."""
    none = (None, None)
    row = inbound.get(message.message_id)
    if row is None:
        return "never stored", none
    turns = covering.get(row[0], [])
    if len(turns) > 1:
        return "twice", none
    if not turns:
        human = row[8] == "skipped" or records.mode.get(message.conversation_id) == "human"
        return ("to staff" if human else f"no turn (answer state {row[8] or 'none'!r})"), none
    replies = [by_pk[pk] for pk in turns[0][3] or [] if pk in by_pk and not by_pk[pk][6]]
    if not replies:
        handed = turns[0][4] or records.mode.get(message.conversation_id) == "human"
        return ("to staff" if handed else "its turn has no reply"), none
    times = [t for t in (_posted_at(reply, message, records) for reply in replies) if t is not None]
    if not times:
        return f"no reply reached Chatwoot ({', '.join(sorted({r[7] for r in replies}))})", none
    return "answered", (min(times), max(times))


def _posted_at(reply, message: Sent, records: Records) -> float | None:
    """When Chatwoot stored our reply: by its id, or (an id we never learnt) the first copy of its text."""
    if reply[2] is not None and reply[2] in records.times:
        return records.times[reply[2]]
    for posted in records.posted.get(message.conversation_id, []):
        if _text(posted.get("content")) == _text(reply[5]) and records.times.get(posted["id"], 0) >= message.at:
            return records.times[posted["id"]]
    return None


def _text(content) -> str:
    return (content or "").replace("\\\n", "\n").strip()


# --- posts ---------------------------------------------------------------------------------------------------------
def _judge_posts(verdict: Verdict, records: Records) -> None:
    ours = Counter((row[1], _text(row[5]), bool(row[6])) for row in records.messages
                   if row[3] == "outbound" and row[4] != "chatwoot")
    for cid, posted in records.posted.items():
        pk = records.conversation_pk.get(cid)
        held = Counter((pk, _text(m.get("content")), bool(m.get("private"))) for m in posted)
        for key, count in held.items():
            extra = count - ours.get(key, 0)
            if extra > 0:
                verdict.duplicated_replies += extra
                verdict.notes.append(f"posted {count}x, {ours.get(key, 0)} row(s): conversation {cid} "
                                     f"{key[1][:60]!r}")


# --- orders --------------------------------------------------------------------------------------------------------
def _judge_orders(verdict: Verdict, records: Records) -> None:
    mine = [o for o in records.odoo_orders
            if (m := CONVERSATION.search(o.get("origin") or "")) and int(m[1]) in records.cw_ids]
    verdict.orders = len(records.orders)
    pointed = {row[2] for row in records.orders if row[2]}
    keys = {row[1] for row in records.orders}
    for _, key, odoo_id, state, total in records.orders:
        carrying = [o for o in mine if key in (o.get("origin") or "")]
        if len(carrying) > 1:
            verdict.duplicated_orders += len(carrying) - 1
            verdict.notes.append(f"order key {key[:8]}: {len(carrying)} Odoo orders {[o['name'] for o in carrying]}")
        _agree(verdict, state, total, next((o for o in mine if o["id"] == odoo_id), None), odoo_id, records)
    for order in mine:
        key = (KEY.search(order.get("origin") or "") or [None, None])[1]
        if order["id"] not in pointed and key not in keys:
            verdict.orphan_orders += 1
            verdict.notes.append(f"orphan Odoo order {order['name']} ({order['origin']})")
    unfinished = {k: v for k, v in records.commands.items() if k in ("pending", "running")}
    if unfinished:
        verdict.notes.append(f"Odoo commands not finished: {unfinished}")
    if records.commands.get("failed"):
        verdict.notes.append(f"Odoo commands refused: {records.commands['failed']}")


def _agree(verdict: Verdict, state: str, total, odoo: dict | None, odoo_id, records: Records) -> None:
    if records.commands.get("pending") or records.commands.get("running"):
        return  # not settled: what Odoo holds is still on its way
    if odoo is None:
        # A draft Odoo refused, or an order cancelled before it reached Odoo, rightly has none.
        if odoo_id or state not in ("draft", "cancelled"):
            verdict.disagreements += 1
            verdict.notes.append(f"our order ({state}, Odoo id {odoo_id}) is not in Odoo")
        return
    if odoo["state"] not in ODOO_STATES.get(state, set()) or abs(float(odoo["amount_total"]) - float(total)) > 1:
        verdict.disagreements += 1
        verdict.notes.append(f"order {odoo['name']}: ours {state} {float(total):.0f}, Odoo {odoo['state']} "
                             f"{float(odoo['amount_total']):.0f}")
