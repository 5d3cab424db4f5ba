"""Creating and changing the contact's order from chat: resolve items, ask about close calls, write the lines
(orders services → Odoo), answer with the quote.

Runs inside the agent turn, under the conversation lease but outside any database transaction: the Odoo calls
have explicit timeouts and a circuit breaker, and an unreachable Odoo leaves the order pending, never lost."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from agents.lanes.base import AgentResult, AgentTurn, Reply
from agents.lanes.options import match_option
from agents.lanes.purchase import texts
from agents.lanes.purchase.replies import current_result, notes_only, quote_reply, result_patch
from agents.lanes.purchase.resolve import Question, Resolution, Wanted, converted, resolve_items
from agents.routing.decision import ExtractedItem
from agents.routing.normalize import normalize, words
from agents.routing.quantities import find_mentions
from agents.session import SessionState
from orders import chat
from orders.models import OrderState, Product, PurchaseOrder
from orders.services import (
    ActiveOrderExists, InvalidOrderLines, LineInput, purchase_order_active_for_contact, purchase_order_create,
    purchase_order_set_lines,
)

EDITABLE = (OrderState.DRAFT, OrderState.SENT)


@dataclass
class Context:
    turn: AgentTurn
    session: SessionState
    contact_id: int

    @property
    def conversation_id(self) -> int:
        return self.turn.conversation_id

    def active_order(self) -> PurchaseOrder | None:
        return purchase_order_active_for_contact(contact_id=self.contact_id)


def replayed(ctx: Context) -> AgentResult | None:
    """These messages already changed an order (the turn is being run again): answer with that order's quote."""
    order = chat.purchase_order_for_turn(contact_id=ctx.contact_id, message_ids=ctx.turn.message_ids)
    if order is None:
        return None
    if order.state not in EDITABLE:
        return AgentResult(replies=[], patch=result_patch(order.pk))
    return quote_reply(current_result(order.pk), created=False, notes=[])


def order_create(ctx: Context) -> AgentResult:
    active = ctx.active_order()
    if active is not None and active.state not in EDITABLE:
        return notes_only([texts.text("active_in_review", name=active.display_name)], active.pk, "")
    if not ctx.turn.decision.items:
        return notes_only([], active.pk if active else None, texts.text("what_to_order"))
    resolution = resolve_items(ctx.turn.decision.items, order_codes=_codes(active), modify=False,
                               text=ctx.turn.text)
    return apply(ctx, resolution, intent="order_create")


def order_modify(ctx: Context) -> AgentResult:
    active = ctx.active_order()
    if active is None:
        return notes_only([], None, texts.text("nothing_to_modify"))
    if active.state not in EDITABLE:
        return notes_only([texts.text("locked_in_review", name=active.display_name)], active.pk, "")
    items = ctx.turn.decision.items or _bare_quantity(ctx.turn.text)
    if not items:
        return notes_only([], active.pk, texts.text("modify_how"))
    resolution = resolve_items(items, order_codes=_codes(active), modify=True,
                               text=ctx.turn.text)
    return apply(ctx, resolution, intent="order_modify")


def _bare_quantity(text: str) -> list[ExtractedItem]:
    """"mejor que sean 150 kg": a new quantity with no product named (the router reports no item)."""
    mentions = [m for m in find_mentions(words(normalize(text))) if not m.negated and not m.weak]
    if not mentions:
        return []
    return [ExtractedItem(product_code=None, quantity=mentions[-1].value, uom=mentions[-1].unit, action="set")]


def apply(ctx: Context, resolution: Resolution, *, intent: str, notes: list[str] | None = None) -> AgentResult:
    """Ask the first open question, or merge the wanted changes into the order and write it."""
    active = ctx.active_order()
    notes = (notes or []) + _problem_notes(resolution, active)
    if resolution.questions:
        return ask(resolution, intent=intent, notes=notes, order_id=active.pk if active else None)
    if not resolution.wanted:
        return notes_only(notes, active.pk if active else None, texts.text("what_to_order"))
    current = {l.product.default_code: l.quantity for l in active.lines.select_related("product")} if active else {}
    merged = merge(current, resolution.wanted, adding=intent == "order_create")
    if not merged:
        name = active.display_name if active else ""
        return AgentResult(replies=[Reply(texts.text("would_be_empty", name=name),
                                          [{"title": "Cancelar pedido", "value": "cancelar"}])],
                           patch=result_patch(active.pk if active else None))
    return write(ctx, active, merged, intent=intent, notes=notes, current=current)


def merge(current: dict[str, Decimal], wanted: list[Wanted], *, adding: bool) -> dict[str, Decimal]:
    """set → that quantity; add → on top of what is there; remove → gone. A new order's items add up too."""
    lines = dict(current)
    for change in wanted:
        if change.action == "remove":
            lines.pop(change.code, None)
        elif change.action == "add" or (adding and change.code in lines):
            lines[change.code] = lines.get(change.code, Decimal(0)) + change.quantity
        else:
            lines[change.code] = change.quantity
    return lines


def write(ctx: Context, active: PurchaseOrder | None, lines: dict[str, Decimal], *, intent: str,
          notes: list[str], current: dict[str, Decimal]) -> AgentResult:
    inputs = [LineInput(product_code=code, quantity=qty) for code, qty in lines.items()]
    try:
        outcome = _save(ctx, active, inputs)
    except InvalidOrderLines as exc:
        notes = notes + [_problem_text(code, reason) for code, reason in exc.problems]
        kept = _without_invalid_changes(lines, current, {code for code, _ in exc.problems})
        if not kept or kept == lines or kept == current:
            return notes_only(notes, active.pk if active else None, texts.text("what_to_order"))
        return write(ctx, active, kept, intent=intent, notes=notes, current=current)
    chat.purchase_order_record_turn(order_id=outcome.order_id, message_ids=ctx.turn.message_ids, intent=intent)
    return quote_reply(outcome, created=active is None, notes=notes)


def _without_invalid_changes(lines: dict[str, Decimal], current: dict[str, Decimal],
                             bad: set[str]) -> dict[str, Decimal]:
    """A refused change leaves the line as it was ("150000 kg" too many keeps the 100 kg already ordered)."""
    kept = {code: qty for code, qty in lines.items() if code not in bad}
    kept.update({code: current[code] for code in bad if code in current})
    return kept


def _save(ctx: Context, active: PurchaseOrder | None, inputs: list[LineInput]):
    if active is not None:
        return purchase_order_set_lines(order_id=active.pk, lines=inputs)
    try:
        return purchase_order_create(contact_id=ctx.contact_id, conversation_id=ctx.conversation_id, lines=inputs)
    except ActiveOrderExists as exc:  # created meanwhile by a concurrent turn: the items go into it
        return purchase_order_set_lines(order_id=exc.order_id, lines=inputs)


# --- close calls: up to three buttons, the tapped title comes back as text ---------------------------------------
def ask(resolution: Resolution, *, intent: str, notes: list[str], order_id: int | None) -> AgentResult:
    question = resolution.questions[0]
    options = _options(question)
    if question.kind == "which_line":
        prompt = texts.text("which_line", qty=_said_quantity(question))
    else:
        said = f" ({_said_quantity(question)})" if question.quantity else ""
        prompt = texts.text("choose", what=question.what, qty=said)
    pending = {"text": prompt, "options": options, "kind": "purchase_choice", "intent": intent,
               "wanted": [w.as_json() for w in resolution.wanted],
               "questions": [q.as_json() for q in resolution.questions]}
    return AgentResult(replies=[Reply(n) for n in notes] + [Reply(prompt, options)],
                       patch=result_patch(order_id, pending))


def answer_choice(ctx: Context, pending: dict) -> AgentResult | None:
    """The contact tapped (or typed) one of the options of our pending question; None if the text is not one."""
    code = match_option(ctx.turn.text, pending.get("options") or [])
    if code is None:
        return None
    question, *rest = [Question.from_json(q) for q in pending["questions"]]
    if not question.quantity and question.action != "remove":  # "quiero harina": chosen, but how much?
        product = Product.objects.get(default_code=code)
        return AgentResult(replies=[Reply(how_much(product))], patch=result_patch(_order_id(ctx)))
    wanted = [Wanted.from_json(w) for w in pending["wanted"]]
    wanted.append(Wanted(code, converted(code, question.quantity, question.said_unit), question.action))
    return apply(ctx, Resolution(wanted=wanted, questions=rest), intent=pending.get("intent", "order_create"))


def _options(question: Question) -> list[dict]:
    options, seen = [], set()
    for code, name in question.options:
        title = texts.button_title(name)
        title = code if title.lower() in seen else title  # two names cut to the same words: the code is unique
        seen.add(title.lower())
        options.append({"title": title, "value": code, "name": name})
    return options


def _said_quantity(question: Question) -> str:
    return f"{texts.quantity(question.quantity)} {question.said_unit or ''}".strip()


# --- what could not be used, said plainly ------------------------------------------------------------------------
def _problem_notes(resolution: Resolution, active: PurchaseOrder | None) -> list[str]:
    notes = []
    for what, alternatives in resolution.unknown:
        key = "unknown_alternatives" if alternatives else "unknown"
        notes.append(texts.text(key, what=what, alternatives=", ".join(alternatives)))
    for what in resolution.not_in_order:
        notes.append(texts.text("not_in_order", what=what, name=active.display_name if active else ""))
    for code in resolution.how_much:
        product = Product.objects.filter(default_code=code).first()
        if product:
            notes.append(how_much(product))
    resolution.unknown, resolution.not_in_order, resolution.how_much = [], [], []
    return notes


def how_much(product: Product) -> str:
    # A bare "10 kg" is not routed to this lane (it could answer anything), so the example names the product.
    example = f"10 {texts.unit_label(product.uom, 10)} de {product.name.lower()}"
    return texts.text("how_much", name=product.name, uom=product.uom, example=example)


def _problem_text(code: str, reason: str) -> str:
    product = Product.objects.filter(default_code=code).first()
    name, uom = (product.name, product.uom) if product else (code, "")
    return texts.text(f"problem_{reason}" if f"problem_{reason}" in texts.TEXTS else "problem_unknown",
                      name=name, uom=uom, limit=texts.quantity(settings.ORDER_MAX_QUANTITY_PER_LINE))


def _order_id(ctx: Context) -> int | None:
    active = ctx.active_order()
    return active.pk if active else None


def _codes(order: PurchaseOrder | None) -> list[str]:
    return [l.product.default_code for l in order.lines.select_related("product")] if order else []
