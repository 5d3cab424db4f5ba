"""Creating and changing the contact's order from chat: resolve items, ask about close calls, decide the lines.

Pure: reads the catalog and the order, writes nothing. The decision is an `OrderChange` the turn's commit
applies (`orders.services.order_change_apply`); the quote itself is told when Odoo has the lines (the order's
`quote_ready` notice), so a turn that is computed again can never write the order twice."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from agents.lanes.base import AgentResult, AgentTurn, Reply
from agents.lanes.options import match_option
from agents.lanes.purchase import texts
from agents.lanes.purchase.replies import notes_only, result_patch
from agents.lanes.purchase.resolve import Question, Resolution, Wanted, converted, resolve_items
from agents.routing.decision import ExtractedItem
from agents.routing.normalize import normalize, words
from agents.routing.quantities import find_mentions
from agents.session import SessionState
from orders.models import OrderState, Product, PurchaseOrder
from orders.services import InvalidOrderLines, LineInput, OrderChange
from orders.services.lines import lines_validated

EDITABLE = (OrderState.DRAFT, OrderState.SENT)


@dataclass
class Context:
    """What the purchase lane sees: the turn, the session, the contact and their active order (read once, with
    its lines; None when there is none)."""

    turn: AgentTurn
    session: SessionState
    contact_id: int
    order: PurchaseOrder | None

    @property
    def conversation_id(self) -> int:
        return self.turn.conversation_id


def order_create(ctx: Context) -> AgentResult:
    active = ctx.order
    if active is not None and active.state not in EDITABLE:
        return notes_only([texts.text("active_in_review", name=active.display_name)], active, "")
    if not ctx.turn.decision.items:
        return notes_only([], active, texts.text("what_to_order"))
    resolution = resolve_items(ctx.turn.decision.items, order_codes=_codes(active), modify=False,
                               text=ctx.turn.text)
    return apply(ctx, resolution, intent="order_create")


def order_modify(ctx: Context) -> AgentResult:
    active = ctx.order
    if active is None:
        return notes_only([], None, texts.text("nothing_to_modify"))
    if active.state not in EDITABLE:
        # Products it does not have yet ("quiero 2 kg de chía" while in review) are a new order's, not a change
        adding = ctx.turn.decision.items and not set(_codes(active)) & {i.product_code for i in ctx.turn.decision.items}
        return notes_only([texts.text("active_in_review" if adding else "locked_in_review",
                                      name=active.display_name)], active, "")
    items = ctx.turn.decision.items or _bare_quantity(ctx.turn.text)
    if not items:
        return notes_only([], active, texts.text("modify_how"))
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
    """Ask the first open question, or merge the wanted changes into the order's lines and decide them."""
    active = ctx.order
    notes = (notes or []) + _problem_notes(resolution, active)
    if resolution.questions:
        return ask(resolution, intent=intent, notes=notes, order=active)
    if not resolution.wanted:
        return notes_only(notes, active, texts.text("what_to_order"))
    current = {l.product.default_code: l.quantity for l in active.lines.all()} if active else {}
    merged = merge(current, resolution.wanted, adding=intent == "order_create")
    if not merged:
        name = active.display_name if active else ""
        return AgentResult(replies=[Reply(texts.text("would_be_empty", name=name),
                                          [{"title": "Cancelar pedido", "value": "cancelar"}])],
                           patch=result_patch(active))
    return decide_lines(ctx, merged, notes=notes, current=current, known=resolution.products)


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


def decide_lines(ctx: Context, lines: dict[str, Decimal], *, notes: list[str], current: dict[str, Decimal],
                 known: dict | None = None) -> AgentResult:
    """The lines to write, checked as the commit will check them: a refused line is said and left as it was.
    `known`: the products the resolution read this turn."""
    inputs = [LineInput(product_code=code, quantity=qty) for code, qty in lines.items()]
    try:
        products = lines_validated(inputs, mode=ctx.order.mode if ctx.order else None, known=known)
    except InvalidOrderLines as exc:
        notes = notes + [_problem_text(code, reason) for code, reason in exc.problems]
        kept = _without_invalid_changes(lines, current, {code for code, _ in exc.problems})
        if not kept or kept == lines or kept == current:
            return notes_only(notes, ctx.order, texts.text("what_to_order"))
        return decide_lines(ctx, kept, notes=notes, current=current, known=known)
    change = OrderChange("set_lines", order_id=ctx.order.pk if ctx.order else None, lines=tuple(inputs),
                         base_version=ctx.order.lines_version if ctx.order else 0, products=products)
    return AgentResult(replies=[Reply(n) for n in notes], patch=result_patch(ctx.order), order=change)


def _without_invalid_changes(lines: dict[str, Decimal], current: dict[str, Decimal],
                             bad: set[str]) -> dict[str, Decimal]:
    """A refused change leaves the line as it was ("150000 kg" too many keeps the 100 kg already ordered)."""
    kept = {code: qty for code, qty in lines.items() if code not in bad}
    kept.update({code: current[code] for code in bad if code in current})
    return kept


# --- close calls: up to three buttons, the tapped title comes back as text ---------------------------------------
def ask(resolution: Resolution, *, intent: str, notes: list[str], order: PurchaseOrder | None) -> AgentResult:
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
                       patch=result_patch(order, pending))


def answer_choice(ctx: Context, pending: dict) -> AgentResult | None:
    """The contact tapped (or typed) one of the options of our pending question; None if the text is not one."""
    code = match_option(ctx.turn.text, pending.get("options") or [])
    if code is None:
        return None
    question, *rest = [Question.from_json(q) for q in pending["questions"]]
    if not question.quantity and question.action != "remove":  # "quiero harina": chosen, but how much?
        product = Product.objects.get(default_code=code)
        return AgentResult(replies=[Reply(how_much(product))], patch=result_patch(ctx.order))
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


def _codes(order: PurchaseOrder | None) -> list[str]:
    return [l.product.default_code for l in order.lines.all()] if order else []
