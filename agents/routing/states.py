"""Which intents are possible in which order state: the router's hard gate.

The order state is a feature of the intent model (it shifts the odds: "¿cuándo llega?" is likelier with a confirmed
order) AND a gate: an intent that cannot happen in the state is removed from the readings before the best one is
chosen, whatever the text says.

| intent         | possible when the contact's order is            | why                                               |
| -------------- | ----------------------------------------------- | ------------------------------------------------- |
| order_confirm  | sent, draft                                     | only a quote (or a draft being closed) can be confirmed; "sí" with nothing waiting is not a confirmation |
| order_modify   | draft, sent, to_approve                         | only an active order has lines to change; in review (to_approve) the lane answers that it is locked |
| order_create   | none, confirmed, received, cancelled            | products asked for while an order is open go into that order: "necesito 24 frascos de miel" with a quote waiting changes the quote |
| every other    | any state, none included                        | a question, a complaint, a status question or a cancellation can come at any time: an explicit "cancela mi pedido" with nothing active gets "no tienes pedidos activos para cancelar" from the purchase agent, which is the right answer |

Cancellation is not gated but the state still weighs on it: with no active order the model reads only explicit
commands ("cancelar", "anula mi pedido") as order_cancel, while a refusal ("ya no lo quiero, gracias") is `other`.

"none" stands for no order (`order_state` null).
"""

from __future__ import annotations

ALL_STATES = ("none", "draft", "sent", "to_approve", "confirmed", "received", "cancelled")

POSSIBLE_IN: dict[str, frozenset[str]] = {
    "order_confirm": frozenset({"sent", "draft"}),
    "order_modify": frozenset({"draft", "sent", "to_approve"}),
    "order_create": frozenset({"none", "confirmed", "received", "cancelled"}),
}


def state_key(order_state: str | None) -> str:
    return order_state or "none"


def possible(intent: str, order_state: str | None) -> bool:
    allowed = POSSIBLE_IN.get(intent)
    return allowed is None or state_key(order_state) in allowed
