"""What the purchase agent says to contacts (Spanish, Chile) and how it formats money and quantities."""

from __future__ import annotations

from decimal import Decimal

from orders.services import OrderResult
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
    "confirmed": "¡Listo! Tu pedido {name} por {total} quedó confirmado. Te avisaremos cuando llegue.",
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
    "status_confirmed": ("Tu pedido {name} por {total} está confirmado; aún no llega a bodega. Te avisaremos cuando "
                         "llegue."),
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
    "approved": ("¡Buenas noticias! Tu pedido {name} por {total} fue aprobado y confirmado. Te avisaremos cuando "
                 "llegue."),
    "rejected": ("Lo sentimos, tu pedido {name} no fue aprobado. Motivo: {reason}. Si quieres, podemos armar uno "
                 "nuevo."),
    "received": "Tu pedido {name} ya fue recibido en bodega. ¡Gracias por tu compra!",
    "cancelled_in_odoo": "Tu pedido {name} fue anulado por nuestro equipo. Si quieres, podemos armar uno nuevo.",
    "cancel_pending_odoo": ("Recibimos tu solicitud de cancelar el pedido {name}. Estamos teniendo un problema con "
                            "nuestro sistema; lo cancelaremos en breve y te avisaremos por aquí."),
}


def text(key: str, **values) -> str:
    return TEXTS[key].format(**values)


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


def quote_lines(order: OrderResult) -> str:
    return "\n".join(
        f"• {quantity(l.quantity)} {unit_label(l.uom, l.quantity)} {l.product_name} × {clp(l.unit_price)} = "
        f"{clp(l.subtotal)}" for l in order.lines)


def quote(order: OrderResult, *, created: bool, dry_run: bool = False) -> str:
    head = text("dry_run") if dry_run else text("quote_created" if created else "quote_updated", name=order.odoo_name)
    totals = [f"Neto: {clp(order.amount_untaxed)}"] if order.amount_total != order.amount_untaxed else []
    totals.append(f"Total: {clp(order.amount_total)}")
    return "\n".join([head, quote_lines(order), *totals, text("confirm_question")])


def button_title(name: str) -> str:
    """A product name cut at a word boundary to fit a reply button."""
    if len(name) <= BUTTON_TITLE_MAX:
        return name
    head = name[:BUTTON_TITLE_MAX + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else ""
    return cut.strip() or name[:BUTTON_TITLE_MAX]
