"""The approval console (issue #4): catalog, purchase orders with those awaiting approval first, the order page
with lines (stock on hand), the conversation's recent messages and the read-only event history; approve and
reject actions with a confirmation page, gated by the "approve purchase orders" permission. Actions call the
services per order and report every outcome (STYLE habit 17)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Case, IntegerField, Value, When
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core import admin as core_admin
from core.errors import DomainError
from orders import modes, services
from orders.models import OrderState, Product, PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine
from orders.services.common import clp
from orders.services.decisions import APPROVE_PERMISSION

RECENT_MESSAGES = 10


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("default_code", "name", "uom", "price", "qty_available", "vendor_name", "purchase_ok", "active",
                    "synced_at")
    list_filter = ("active", "purchase_ok", "sale_ok", "uom")
    search_fields = ("default_code", "name", "vendor_name")
    readonly_fields = ("odoo_product_id", "odoo_vendor_id", "synced_at")

    def get_list_display(self, request):
        # Sale mode: the customer's catalog (sellable, free to promise), not the vendors'.
        if modes.is_sale():
            return ("default_code", "name", "uom", "price", "qty_available", "qty_free", "sale_ok", "active",
                    "synced_at")
        return self.list_display


class ReadOnlyInline(core_admin.ReadOnlyInline):
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("orders.view_purchaseorder")


class LineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = readonly_fields = ("product", "quantity", "uom", "unit_price", "subtotal", "stock_on_hand")

    @admin.display(description="Stock on hand")
    def stock_on_hand(self, line):
        return line.product.qty_available


class EventInline(ReadOnlyInline):
    model = PurchaseOrderEvent
    fields = readonly_fields = ("created_at", "kind", "actor", "before", "after", "detail")


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ("__str__", "contact", "state", "total", "age", "odoo_sync_status", "created_at")
    list_filter = ("state", "odoo_sync_status")
    search_fields = ("odoo_name", "contact__name", "contact__phone_e164", "contact__email", "idempotency_key")
    actions = ["approve_orders", "reject_orders"]
    inlines = [LineInline, EventInline]
    readonly_fields = ("contact", "conversation", "state", "odoo_name", "odoo_id", "odoo_state", "odoo_sync_status",
                       "odoo_error", "currency", "amount_untaxed", "amount_total", "approved_by", "rejected_by",
                       "decision_reason", "decided_at", "received_at", "origin", "idempotency_key",
                       "recent_messages")
    exclude = ("commands_lease_until", "confirm_requested_at", "cancel_requested_at", "lines_version",
               "odoo_partner_id", "odoo_synced_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contact")

    def changelist_view(self, request, extra_context=None):
        # The mode's own name for them: purchase orders, or sales orders (ODOO_ORDER_MODEL).
        return super().changelist_view(request, {"title": modes.labels().orders, **(extra_context or {})})

    def get_ordering(self, request):
        awaiting_first = Case(When(state=OrderState.TO_APPROVE, then=Value(0)), default=Value(1),
                              output_field=IntegerField())
        return [awaiting_first.asc(), "-created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a console: state changes only through the actions (services)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_approve_permission(self, request):
        return request.user.has_perm(APPROVE_PERMISSION)

    @admin.display(description="Total", ordering="amount_total")
    def total(self, order):
        return clp(order.amount_total)

    @admin.display(description="Age")
    def age(self, order):
        minutes = int((timezone.now() - order.created_at).total_seconds() // 60)
        return f"{minutes // 1440}d {minutes % 1440 // 60}h" if minutes >= 1440 else f"{minutes // 60}h {minutes % 60}m"

    @admin.display(description="Recent messages")
    def recent_messages(self, order):
        if not order.conversation_id:
            return "—"
        recent = list(order.conversation.messages.order_by("-created_at")[:RECENT_MESSAGES])[::-1]
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li><small>{} · {}</small> {}</li>",
            ((m.created_at.strftime("%Y-%m-%d %H:%M"), m.direction, m.content[:300]) for m in recent)))

    # --- actions -------------------------------------------------------------------------------------------
    @admin.action(permissions=["approve"], description="Approve selected orders (confirm in Odoo)")
    def approve_orders(self, request, queryset):
        if request.POST.get("confirm") != "yes":
            return self._confirmation(request, queryset, "approve_orders", ask_reason=False)
        for order in queryset:
            self._report(request, order, lambda o: services.purchase_order_approve(order_id=o.pk, user=request.user))

    @admin.action(permissions=["approve"], description="Reject selected orders (cancel in Odoo, tell the contact)")
    def reject_orders(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if request.POST.get("confirm") != "yes" or not reason:
            return self._confirmation(request, queryset, "reject_orders", ask_reason=True,
                                      reason_missing=request.POST.get("confirm") == "yes")
        for order in queryset:
            self._report(request, order,
                         lambda o: services.purchase_order_reject(order_id=o.pk, user=request.user, reason=reason))

    def _confirmation(self, request, queryset, action, *, ask_reason, reason_missing=False):
        orders = list(queryset)
        for order in orders:
            order.total_clp = clp(order.amount_total)
        verb = "Reject" if ask_reason else "Approve"
        context = {
            **self.admin_site.each_context(request), "title": f"{verb} purchase orders", "orders": orders,
            "question": f"{verb} these {len(orders)} order(s)? " + (
                "They will be cancelled in Odoo and the contact told why." if ask_reason else
                "They will be confirmed in Odoo and the contact told."),
            "action": action, "ask_reason": ask_reason, "reason_missing": reason_missing,
            "reason": request.POST.get("reason", ""), "submit_label": f"Yes, {verb.lower()}",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, "opts": self.model._meta,
        }
        return TemplateResponse(request, "orders/admin/decide_orders.html", context)

    def _report(self, request, order, call):
        try:
            outcome = call(order)
        except DomainError as exc:
            return self.message_user(request, f"{order}: {exc.message}", messages.ERROR)
        level = messages.SUCCESS if outcome.ok and outcome.outcome in ("approved", "rejected") else messages.WARNING
        text = REPORTS.get(outcome.outcome, "{outcome}").format(order=order, outcome=outcome.outcome,
                                                                 error=outcome.error)
        self.message_user(request, text, level)


REPORTS = {
    "approved": "{order}: approved and confirmed in Odoo; the contact was told.",
    "rejected": "{order}: rejected and cancelled in Odoo; the contact was told the reason.",
    "odoo_unreachable": "{order}: Odoo could not be reached ({error}); nothing changed, try again later.",
    "odoo_refused": "{order}: Odoo refused: {error}",
    "odoo_not_approved": "{order}: Odoo did not approve it ({error}); the Odoo integration user needs the "
                         "Purchase Administrator right, or approve it in Odoo.",
    "pending_odoo": "{order}: not yet in Odoo ({error}); it will be pushed when Odoo is back — try again then.",
    "dry_run": "{order}: DRY_RUN is on; nothing was written to Odoo.",
}
