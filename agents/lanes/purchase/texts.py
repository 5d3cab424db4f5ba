"""What the purchase agent says to contacts (Spanish, Chile) and how it formats money, quantities and dates.

The words are the same in both order modes except where the mode changes what happens (`SALE_TEXTS`): in sale mode
the contact is a customer whose goods are delivered; in purchase mode a supplier whose goods are received.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat, timezone, translation

from orders.modes import is_sale
from orders.services import LineSummary, OrderResult
from orders.services.common import clp

QUOTE_OPTIONS = [{"title": "Confirmar", "value": "confirmar"}, {"title": "Modificar", "value": "modificar"},
                 {"title": "Cancelar", "value": "cancelar"}]
BUTTON_TITLE_MAX = 20  # WhatsApp's limit for a reply button title

TEXTS = {
    "quote_created": "Cotización {name} creada:",
    "quote_updated": "Cotización {name} actualizada:",
    "confirm_question": "¿Confirmamos el pedido?",
    "pending_odoo": ("Recibimos tu pedido:\n{lines}\nEstamos teniendo un problema con nuestro sistema de compras; "
                     "te confirmaremos la cotización en breve por este chat."),
    "dry_run": "Cotización (modo de prueba, no se registró en el sistema):",
    "refused": ("No pudimos registrar tu pedido en nuestro sistema. Ya avisamos a un ejecutivo, que lo revisará y "
                "te responderá por este chat."),
    "confirmed": "¡Listo! Tu pedido {name} por {total} quedó confirmado. {arrival}",
    "under_review": ("Gracias. Tu pedido {name} por {total} quedó en revisión; te avisaremos por aquí apenas lo "
                     "aprueben."),
    "confirm_pending_odoo": ("Recibimos tu confirmación del pedido {name}. Estamos teniendo un problema con nuestro "
                             "sistema; lo confirmaremos en breve y te avisaremos por aquí."),
    "confirm_refused": ("No pudimos confirmar tu pedido {name} en nuestro sistema. Ya avisamos a un ejecutivo, que "
                        "lo revisará y te responderá por este chat."),
    "confirm_dry_run": "Confirmación recibida (modo de prueba: el pedido {name} no se registró en el sistema).",
    "nothing_to_confirm": "No tienes una cotización esperando confirmación. ¿Quieres hacer un pedido?",
    "already_confirmed": "Tu pedido {name} ya está confirmado.",
    "already_in_review": "Tu pedido {name} ya está en revisión; te avisaremos apenas lo aprueben.",
    "confirm_received": "Ya recibimos tu confirmación del pedido {name}; te aviso por aquí apenas quede lista.",
    "cancel_received": "Ya estamos cancelando tu pedido {name}; te aviso por aquí apenas quede listo.",
    "cancelled": "Listo, cancelamos tu pedido {name}. Si necesitas algo más, escríbenos.",
    "nothing_to_cancel": "No tienes pedidos activos para cancelar.",
    "cancel_failed": ("No pudimos cancelar tu pedido {name} ahora por un problema con nuestro sistema. Un ejecutivo "
                      "lo revisará y te confirmará por este chat."),
    "locked_in_review": ("Tu pedido {name} está en revisión, así que ya no puedo cambiarlo. Si quieres cambios, "
                         "puedes cancelarlo y hacer uno nuevo."),
    "modify_how": ("Claro, dime qué quieres cambiar. Por ejemplo: «mejor que sean 150 kg de aceite», «agrega 3 cajas "
                   "de leche de almendra» o «quita la almendra»."),
    "nothing_to_modify": "No tienes un pedido abierto para modificar. ¿Quieres hacer uno nuevo? Dime qué necesitas.",
    "what_to_order": ("¿Qué productos y cantidades necesitas? Por ejemplo: «20 kg de almendras y 3 cajas de leche "
                      "de coco»."),
    "would_be_empty": ("Si quito eso, tu pedido {name} quedaría vacío. Si ya no lo necesitas, puedo cancelarlo."),
    "not_in_order": "«{what}» no está en tu pedido {name}.",
    "which_line": "¿Qué producto de tu pedido quieres cambiar a {qty}?",
    "choose": "Para «{what}» tenemos varias opciones. ¿Cuál quieres{qty}?",
    "unknown": "No encontré «{what}» en nuestro catálogo.",
    "unknown_alternatives": "No encontré «{what}» en nuestro catálogo. Lo más parecido que tenemos: {alternatives}.",
    "how_much": ("¿Cuánto necesitas de {name}? Se vende por {uom}; escríbeme la cantidad con el producto, por "
                 "ejemplo «{example}»."),
    "problem_quantity": "La cantidad de {name} debe ser mayor que cero.",
    "problem_too_many": "Para {name} puedo tomar hasta {limit} {uom} por línea; para más, un ejecutivo te ayudará.",
    "problem_not_purchasable": "{name} no está disponible para pedidos por este canal.",
    "problem_price": "{name} no tiene precio vigente; un ejecutivo te lo cotizará.",
    "problem_unknown": "{name} ya no está en nuestro catálogo.",
    "status_none": "No encuentro pedidos a tu nombre. ¿Quieres hacer uno? Dime qué productos necesitas.",
    "status_draft": "Tu cotización {name} por {total} está esperando tu confirmación.",
    "status_to_approve": "Tu pedido {name} por {total} está en revisión; te avisaremos apenas lo aprueben.",
    "status_confirmed": "Tu pedido {name} por {total} está confirmado; aún no llega a bodega. {arrival}",
    "status_received": "Tu pedido {name} ya fue recibido en bodega.",
    "status_cancelled": "Tu pedido {name} fue cancelado.",
    "status_stale": " (no pudimos consultar el sistema ahora; es el último estado que conocemos)",
    "active_in_review": ("Tu pedido {name} está en revisión, así que no puedo agregarle productos. Cuando se resuelva "
                         "podrás hacer un pedido nuevo."),
    "catalog_line": "• {name}: {price} por {uom}{availability}",
    "catalog_intro": "Esto es lo que tenemos:",
    "catalog_none": ("No encontré ese producto en nuestro catálogo. Cuéntame qué buscas con otras palabras o pide "
                     "hablar con un ejecutivo."),
    "catalog_ask": "¿Qué producto buscas? Te digo precio y unidad de venta.",
    "catalog_order_hint": "Si quieres pedir, dime la cantidad, por ejemplo «20 kg de {name}».",
    # Told later, when Odoo answered (the order's notices)
    "approved": "¡Buenas noticias! Tu pedido {name} por {total} fue aprobado y confirmado. {arrival}",
    "rejected": ("Lo sentimos, tu pedido {name} no fue aprobado. Motivo: {reason}. Si quieres, podemos armar uno "
                 "nuevo."),
    "received": "Tu pedido {name} ya fue recibido en bodega. ¡Gracias por tu compra!",
    "cancelled_in_odoo": "Tu pedido {name} fue anulado por nuestro equipo. Si quieres, podemos armar uno nuevo.",
    "cancel_pending_odoo": ("Recibimos tu solicitud de cancelar el pedido {name}. Estamos teniendo un problema con "
                            "nuestro sistema; lo cancelaremos en breve y te avisaremos por aquí."),
    "partially_done": "Tu pedido {name}: llegaron {parts}; el resto sigue pendiente.",
    "arrives": "Llega {when}.",
    "arrives_later": "Te avisaremos cuando llegue.",
    # Stock, in the quote: informational in purchase mode, a question in sale mode.
    "line_short": " (en bodega: {available})",
    "line_short_sale": " ⚠ disponible hoy: {available}",
    "line_waits_sale": " (disponible hoy: {available}; el resto, más adelante)",
    "stock_question": ("De {product} tenemos {available} disponibles hoy y pediste {wanted}. ¿Te enviamos lo "
                       "disponible ahora, o esperamos y te enviamos {wanted} juntos más adelante?"),
    "stock_question_none": ("De {product} no tenemos stock disponible hoy y pediste {wanted}. ¿Lo esperamos y te lo "
                            "enviamos más adelante, o lo quitamos del pedido?"),
    "stock_waits": "Perfecto: mantenemos {wanted} de {product}; te los enviamos apenas tengamos stock.",
    "catalog_in_stock": " (disponible)",
    "catalog_no_stock": " (sin stock ahora; lo pedimos al proveedor)",
    "catalog_not_orderable": " (no disponible por este canal)",
}
# Sale mode: the contact is a customer; the goods leave our warehouse for them.
SALE_TEXTS = {
    "pending_odoo": ("Recibimos tu pedido:\n{lines}\nEstamos teniendo un problema con nuestro sistema de ventas; "
                     "te confirmaremos la cotización en breve por este chat."),
    "status_confirmed": "Tu pedido {name} por {total} está confirmado; aún no te lo entregamos. {arrival}",
    "status_received": "Tu pedido {name} ya fue entregado.",
    "received": "Tu pedido {name} ya fue entregado completo. ¡Gracias por tu compra!",
    "partially_done": "Tu pedido {name}: te entregamos {parts}; el resto sigue pendiente.",
    "arrives_later": "Te avisaremos cuando salga.",
    "catalog_in_stock": " (disponible: {available})",
    "catalog_no_stock": " (sin stock ahora)",
}
# A notice in a few words, for WhatsApp templates such as "Hola {{1}}, tu pedido {{2}} está {{3}}."
NOTICE_STATUS = {
    "quote_ready": "cotizado y listo para confirmar", "confirmed": "confirmado", "approved": "aprobado y confirmado",
    "approval_requested": "en revisión", "rejected": "rechazado", "cancelled": "cancelado",
    "cancelled_in_odoo": "anulado", "received": "recibido en bodega", "partly_done": "recibido en parte",
    "odoo_delayed": "en proceso", "odoo_refused": "en revisión con un ejecutivo", "confirm_dry_run": "en prueba",
}
SALE_NOTICE_STATUS = {"received": "entregado", "partly_done": "entregado en parte"}
STOCK_NOW, STOCK_LATER, STOCK_DROP = "stock_now", "stock_later", "stock_drop"
STOCK_OPTIONS = {STOCK_NOW: "Lo disponible ahora", STOCK_LATER: "Todo más adelante", STOCK_DROP: "Quitar del pedido"}


def text(key: str, **values) -> str:
    words = SALE_TEXTS.get(key) if is_sale() else None
    return (words or TEXTS[key]).format(**values)


def notice_status(kind: str) -> str:
    words = SALE_NOTICE_STATUS.get(kind) if is_sale() else None
    return words or NOTICE_STATUS.get(kind, "actualizado")


def quantity(value: Decimal | float) -> str:
    """100 → "100", 2.5 → "2,5" (Chilean decimal comma)."""
    number = Decimal(str(value)).normalize()
    shown = f"{number:f}"
    return shown.replace(".", ",")


def unit_label(uom: str, qty: Decimal | float) -> str:
    """"kg" stays; "Caja x12" → "caja(s) x12"; "Unidades" → "unidad(es)"."""
    lowered = uom.lower()
    plural = Decimal(str(qty)) != 1
    if lowered.startswith("caja"):
        return ("cajas" if plural else "caja") + uom[4:]
    if lowered.startswith("saco"):
        return ("sacos" if plural else "saco") + uom[4:]
    if lowered in ("unidades", "unidad", "units"):
        return "unidades" if plural else "unidad"
    return uom


def amount(qty: Decimal | float, uom: str) -> str:
    """"100 kg", "3 cajas x12", "1 unidad"."""
    return f"{quantity(qty)} {unit_label(uom, qty)}"


def product_without_pack(name: str, uom: str) -> str:
    """The product's name without its pack when the name already ends with it: "Harina integral saco 25 kg" sold
    by "Saco 25 kg" is "Harina integral" after "4 sacos 25 kg". Any other name is kept whole."""
    pack = uom.strip().lower()
    if len(pack) < 3 or not name.lower().endswith(" " + pack):
        return name
    return name[: len(name) - len(pack)].rstrip(" ,-") or name


def line_text(line: LineSummary) -> str:
    """One quote line, naming the product once with its pack, and saying when it is above what can be had now."""
    price = clp(line.unit_price) + (f" −{quantity(line.discount)}%" if line.discount else "")
    named = product_without_pack(line.product_name, line.uom)
    return (f"• {amount(line.quantity, line.uom)} {named} × {price} = {clp(line.subtotal)}"
            f"{stock_note(line)}")


def stock_note(line: LineSummary) -> str:
    if not line.short:
        return ""
    available = amount(max(line.can_promise, Decimal(0)), line.uom)
    if not is_sale():
        return text("line_short", available=available)
    return text("line_waits_sale" if line.wait_for_stock else "line_short_sale", available=available)


def quote_lines(order: OrderResult) -> str:
    return "\n".join(line_text(line) for line in order.lines)


def quote(order: OrderResult, *, created: bool, dry_run: bool = False) -> str:
    head = text("dry_run") if dry_run else text("quote_created" if created else "quote_updated", name=order.odoo_name)
    totals = [f"Neto: {clp(order.amount_untaxed)}"] if order.amount_total != order.amount_untaxed else []
    totals.append(f"Total: {clp(order.amount_total)}")
    return "\n".join([head, quote_lines(order), *totals, text("confirm_question")])


def short_lines(order: OrderResult) -> list[LineSummary]:
    """Sale mode: the lines above what is available now that the contact has not chosen to wait for."""
    return [line for line in order.lines if line.short and not line.wait_for_stock] if is_sale() else []


def stock_question(line: LineSummary) -> tuple[str, list[dict]]:
    """What is available now, or the whole line later (nothing available: later, or out of the order)."""
    wanted = amount(line.quantity, line.uom)
    if line.can_promise <= 0:
        said = text("stock_question_none", product=line.product_name, wanted=wanted)
        choices = (STOCK_LATER, STOCK_DROP)
    else:
        said = text("stock_question", product=line.product_name, wanted=wanted,
                    available=amount(line.can_promise, line.uom))
        choices = (STOCK_NOW, STOCK_LATER)
    return said, [{"title": STOCK_OPTIONS[c], "value": c} for c in choices]


# --- dates, as a person reads them ----------------------------------------------------------------------------
def day(when: dt.datetime, *, now: dt.datetime | None = None) -> str:
    """"el jueves 10 de diciembre" in the business's time zone; "mañana, jueves 10 de diciembre"; the year only
    when it is not this one."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local, today = when.astimezone(zone).date(), (now or timezone.now()).astimezone(zone).date()
    pattern = r"l j \d\e F" + ("" if local.year == today.year else r" \d\e Y")
    with translation.override("es"):
        shown = dateformat.format(local, pattern)
    if local == today:
        return f"hoy, {shown}"
    if local == today + dt.timedelta(days=1):
        return f"mañana, {shown}"
    return f"el {shown}"


def arrival(expected_at: dt.datetime | None) -> str:
    return text("arrives", when=day(expected_at)) if expected_at else text("arrives_later")


def done_parts(lines: list[dict]) -> str:
    """"60 de 100 kg de Almendra entera y los 20 kg de Quinoa": what has arrived (or left) so far, per line."""
    parts = []
    for line in lines:
        ordered, done, uom = Decimal(line["ordered"]), Decimal(line["done"]), line["uom"]
        if done <= 0:
            continue
        if done >= ordered:
            parts.append(f"los {amount(ordered, uom)} de {line['name']}")
        else:
            parts.append(f"{quantity(done)} de {amount(ordered, uom)} de {line['name']}")
    return " y ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " y " + parts[-1]


def button_title(name: str) -> str:
    """A product name cut at a word boundary to fit a reply button."""
    if len(name) <= BUTTON_TITLE_MAX:
        return name
    head = name[:BUTTON_TITLE_MAX + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else ""
    return cut.strip() or name[:BUTTON_TITLE_MAX]
