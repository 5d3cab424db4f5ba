"""Template filters for the console: amounts, quantities and waits written one way everywhere (`core.formats`).

    {% load console_tags %}
    {{ order.amount_total|money:order.currency }}   → $283.220
    {{ line.quantity|quantity }}                     → 20
    {{ conversation.handoff_at|waited }}             → 12 min
    {{ message.created_at|moment }}                  → 2 dic 10:14 (America/Santiago)
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from console.dashboard.stats import waiting_for_a_person
from core import formats
from orders.models import OrderState, PurchaseOrder

register = template.Library()


@register.filter
def money(amount, currency="CLP"):
    return formats.money(amount, currency or "CLP")


@register.filter
def quantity(value):
    return formats.quantity(value)


@register.filter
def waited(since):
    """How long ago `since` was, as a duration ("12 min"); "—" without a time."""
    if not since:
        return formats.EMPTY
    return formats.duration((timezone.now() - since).total_seconds())


@register.filter
def seconds(value):
    return formats.duration(value)


@register.filter
def day(value):
    return formats.day(value)


@register.filter
def moment(value, style=""):
    """`{{ when|moment }}` → "2 dic 10:14"; `{{ when|moment:"weekday" }}` → "mié 2 dic, 10:14"."""
    return formats.moment(value, weekday=style == "weekday")


@register.simple_tag(takes_context=True)
def console_today(context) -> list[dict]:
    """The index's first row: what waits for someone now, as links into the lists the user may open."""
    user = context["request"].user
    cards = []
    if user.has_perm("conversations.view_conversation"):
        cards.append({"id": "today-waiting", "value": waiting_for_a_person().count(),
                      "label": _("conversations waiting for a person"),
                      "url": reverse("admin:conversations_conversation_changelist") + "?inbox=waiting"})
    if user.has_perm("orders.view_purchaseorder"):
        cards.append({"id": "today-approval", "value": PurchaseOrder.objects.filter(
            state=OrderState.TO_APPROVE).count(), "label": _("orders waiting for approval"),
            "url": reverse("admin:orders_purchaseorder_changelist") + "?state__exact=to_approve"})
    return cards
