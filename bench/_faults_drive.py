"""Simulated contacts for bench/faults.py: each plays a short Spanish script through the Chatwoot stand-in, waits
for the bot's answer (or the quote, the confirmation) before writing again, and records what it sent and when.
Waiting is pacing only: whether a message was answered, once, is judged afterwards from the records."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from _harness import JsonClient

ANSWER_WITHIN = 30.0  # seconds after the fault's end (or after the message, if later) that an answer may take
POLL = 0.25  # seconds between a contact's looks at its conversation
ORDER = "Necesito 100kg aceite de coco y 20 kilos de almendras"


@dataclass(frozen=True)
class Step:
    text: str
    wait_for: str = ""  # a reply starting with this ends the wait; "" any reply does


SCRIPTS = {
    "info": [Step("Hola"), Step("¿a qué hora abren?"), Step("¿hacen despacho a domicilio?"), Step("gracias")],
    # Order → change → confirm (or cancel): a create, a write, and button_confirm or button_cancel in Odoo.
    "confirm": [Step(ORDER, "Cotización"), Step("mejor que sean 150 kg de aceite", "Cotización"),
                Step("sí, confirmo")],
    "cancel": [Step(ORDER, "Cotización"), Step("mejor que sean 150 kg de aceite", "Cotización"),
               Step("cancela el pedido")],
}


@dataclass
class Sent:
    contact: int
    conversation_id: int
    message_id: int
    text: str
    at: float


@dataclass
class Contact:
    index: int
    script: str
    phase_name: str
    conversation_id: int | None = None
    sent: list[Sent] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)  # what the driver saw no answer to (pacing only)
    stopped: str = ""

    @property
    def person(self) -> dict:
        return {"name": f"Cliente {self.phase_name} {self.index}", "phone_number": f"+569{self.index:08d}"}


class Driver:
    """Plays every contact of a phase in its own thread. `answers_due()` is when the fault ends (planned), so a
    contact waits until 30 s after it for an answer; `on_conversation(contact)` runs once a contact's
    conversation exists (a phase may arm a fault for it)."""

    def __init__(self, chatwoot: JsonClient, mode_of, *, seed: int, answers_due, on_conversation=None,
                 pause=(0.3, 1.2), stagger: float = 2.0):
        self.chatwoot, self.mode_of = chatwoot, mode_of
        self.seed, self.answers_due, self.on_conversation = seed, answers_due, on_conversation
        self.pause, self.stagger = pause, stagger
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def play(self, contacts: list[Contact]) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._run, args=(c,), name=f"contact-{c.index}", daemon=True)
                   for c in contacts]
        for thread in threads:
            thread.start()
        return threads

    def _run(self, contact: Contact) -> None:
        rng = random.Random(self.seed * 100_003 + contact.index)
        time.sleep(rng.uniform(0, self.stagger))  # contacts do not all write in the same millisecond
        try:
            for step in SCRIPTS[contact.script]:
                if not self._step(contact, step):
                    return
                time.sleep(rng.uniform(*self.pause))  # reading the answer, typing the next message
        except Exception as exc:  # noqa: BLE001 - the bench's own trouble is reported, the other contacts go on
            with self._lock:
                self.errors.append(f"contact {contact.index}: {exc.__class__.__name__}: {exc}")

    def _step(self, contact: Contact, step: Step) -> bool:
        seen = self._bot_ids(contact.conversation_id) if contact.conversation_id else set()
        at = time.time()
        answer = self.chatwoot.call("POST", "/standin/inbound", {"content": step.text, "contact": contact.person,
                                                                 "conversation_id": contact.conversation_id})
        first = contact.conversation_id is None
        contact.conversation_id = answer["conversation_id"]
        contact.sent.append(Sent(contact.index, answer["conversation_id"], answer["message_id"], step.text, at))
        if first and self.on_conversation:
            self.on_conversation(contact)
        if not self._wait(contact, step, seen, max(at, self.answers_due()) + ANSWER_WITHIN):
            contact.unanswered.append(step.text)
            contact.stopped = "no answer"
            return False
        if self.mode_of(contact.conversation_id) == "human":
            contact.stopped = "handed to staff"
            return False
        return True

    def _wait(self, contact: Contact, step: Step, seen: set[int], deadline: float) -> bool:
        answered = False
        while time.time() < deadline:
            time.sleep(POLL)
            new = [m for m in self._bot_messages(contact.conversation_id) if m["id"] not in seen]
            answered = answered or bool(new)
            if new and (not step.wait_for or any((m.get("content") or "").startswith(step.wait_for) for m in new)):
                return True
            if answered and self.mode_of(contact.conversation_id) == "human":
                return True  # staff have it: nothing more will come from the bot
        return answered

    def _bot_messages(self, conversation_id: int) -> list[dict]:
        data = self.chatwoot.call("GET", f"/standin/conversations/{conversation_id}/messages")
        return [m for m in data["payload"] if not m.get("private")]

    def _bot_ids(self, conversation_id: int) -> set[int]:
        return {m["id"] for m in self._bot_messages(conversation_id)}
