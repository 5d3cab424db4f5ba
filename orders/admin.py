"""The approval console: the catalog, purchase orders (those awaiting approval first) and the order page shaped like
Odoo's form: a status bar, Approve / Reject in the header for approvers, the lines with stock on hand, the totals
(net, VAT, total), the history in sentences, and a link to the order in Odoo.

Approve and reject are the changelist actions `approve_orders` / `reject_orders` (CONTRACT section 5) with a
confirmation page; the page's buttons post to the same actions, so both paths ask the same question. Actions call
the services per order and report every outcome."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.errors import DomainError, InvalidTransition
from core.formats import duration, money, quantity
from orders import modes, services
from orders.history import order_history
from orders.models import ACTIVE_STATES, OdooSyncStatus, OrderState, Product, PurchaseOrder
from orders.services.decisions import APPROVE_PERMISSION
from orders.services.results import ApprovalDenied

RECENT_MESSAGES = 10
# The record's form in Odoo's web client (the `#` form is understood by Odoo 14 to 19), in the order's model.
ODOO_FORM_PATH = "/web#id={id}&model={model}&view_type=form"
# The status bar, as Odoo draws it: the way forward, with `cancelled` shown only when the order ends there.
STATUS_STEPS = [OrderState.DRAFT, OrderState.SENT, OrderState.TO_APPROVE, OrderState.CONFIRMED, OrderState.RECEIVED]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("default_code", "name", "uom", "price_shown", "stock_shown", "vendor_name", "purchase_ok",
                    "active", "synced_at")
    list_filter = ("active", "purchase_ok", "sale_ok", "uom")
    search_fields = ("default_code", "name", "vendor_name")
    readonly_fields = ("odoo_product_id", "odoo_vendor_id", "synced_at")

    @admin.display(description=gettext_lazy("Price"), ordering="price")
    def price_shown(self, product):
        return money(product.price, product.currency)

    def get_list_display(self, request):
        # Sale mode: the customer's catalog (sellable, free to promise), not the vendors'.
        if modes.is_sale():
            return ("default_code", "name", "uom", "price_shown", "stock_shown", "free_shown", "sale_ok", "active",
                    "synced_at")
        return self.list_display

    @admin.display(description=gettext_lazy("Free to use"), ordering="qty_free")
    def free_shown(self, product):
        return "" if product.qty_free is None else quantity(product.qty_free)

    @admin.display(description=gettext_lazy("Stock on hand"), ordering="qty_available")
    def stock_shown(self, product):
        return quantity(product.qty_available)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ("order_column", "state", "total", "age", "odoo_column")
    list_display_links = ("order_column",)
    list_filter = ("state", "odoo_sync_status")
    search_fields = ("odoo_name", "contact__name", "contact__phone_e164", "contact__email", "idempotency_key")
    actions = ["approve_orders", "reject_orders"]
    change_form_template = "admin/orders/purchaseorder/order_form.html"

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

    @admin.display(description=gettext_lazy("Order"), ordering="odoo_name")
    def order_column(self, order):
        return format_html('<strong>{}</strong><br><small class="quiet">{}</small>', order.display_name,
                           str(order.contact))

    @admin.display(description=gettext_lazy("In Odoo"), ordering="odoo_sync_status")
    def odoo_column(self, order):
        if order.odoo_sync_status == OdooSyncStatus.SYNCED:
            return "✓"
        return order.get_odoo_sync_status_display()

    @admin.display(description=gettext_lazy("Total"), ordering="amount_total")
    def total(self, order):
        return money(order.amount_total, order.currency)

    @admin.display(description=gettext_lazy("Age"), ordering="created_at")
    def age(self, order):
        return duration((timezone.now() - order.created_at).total_seconds())

    # --- the order page -------------------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404(_("No such order."))
        if not self.has_view_permission(request, order):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "original": order,
            "title": _order_title(order), "steps": _status_steps(order), "lines": _lines(order),
            "totals": _totals(order), "history": order_history(order.events.all()),
            "recent": _recent_messages(order), "odoo_url": _odoo_url(order),
            "can_decide": self.has_approve_permission(request) and order.state == OrderState.TO_APPROVE,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, **(extra_context or {}),
        }
        return TemplateResponse(request, self.change_form_template, context)

    # --- actions -------------------------------------------------------------------------------------------
    @admin.action(permissions=["approve"], description=gettext_lazy("Approve the selected orders (confirm in Odoo)"))
    def approve_orders(self, request, queryset):
        if request.POST.get("confirm") != "yes":
            return self._confirmation(request, queryset, "approve_orders", ask_reason=False)
        for order in queryset:
            self._report(request, order, lambda o: services.purchase_order_approve(order_id=o.pk, user=request.user))
        return self._after_decision(request)

    @admin.action(permissions=["approve"],
                  description=gettext_lazy("Reject the selected orders (cancel in Odoo, tell the contact why)"))
    def reject_orders(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if request.POST.get("confirm") != "yes" or not reason:
            return self._confirmation(request, queryset, "reject_orders", ask_reason=True,
                                      reason_missing=request.POST.get("confirm") == "yes")
        for order in queryset:
            self._report(request, order,
                         lambda o: services.purchase_order_reject(order_id=o.pk, user=request.user, reason=reason))
        return self._after_decision(request)

    def _confirmation(self, request, queryset, action, *, ask_reason, reason_missing=False):
        orders = list(queryset)
        for order in orders:
            order.total_shown = money(order.amount_total, order.currency)
        n = len(orders)
        question = (ngettext("Reject this order? It is cancelled in Odoo and the contact reads your reason.",
                             "Reject these %(n)d orders? They are cancelled in Odoo and each contact reads your "
                             "reason.", n) if ask_reason else
                    ngettext("Approve this order? It is confirmed in Odoo and the contact is told.",
                             "Approve these %(n)d orders? They are confirmed in Odoo and each contact is told.", n))
        context = {
            **self.admin_site.each_context(request), "orders": orders, "question": question % {"n": n},
            "title": ngettext("Reject an order", "Reject orders", n) if ask_reason else
            ngettext("Approve an order", "Approve orders", n),
            "action": action, "ask_reason": ask_reason, "reason_missing": reason_missing,
            "reason": request.POST.get("reason", ""), "next": _safe_next(request),
            "submit_label": _("Yes, reject") if ask_reason else _("Yes, approve"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, "opts": self.model._meta,
        }
        return TemplateResponse(request, "orders/admin/decide_orders.html", context)

    def _after_decision(self, request):
        """Back where the decision started: the order page when its button was used, else the list."""
        target = _safe_next(request)
        return HttpResponseRedirect(target) if target else None

    def _report(self, request, order, call):
        try:
            outcome = call(order)
        except DomainError as exc:
            return self.message_user(request, f"{order}: {_decision_error(exc, order)}", messages.ERROR)
        level = messages.SUCCESS if outcome.ok and outcome.outcome in ("approved", "rejected") else messages.WARNING
        text = REPORTS.get(outcome.outcome)
        shown = str(text) % {"order": order, "error": outcome.error} if text else f"{order}: {outcome.outcome}"
        self.message_user(request, shown, level)


REPORTS = {
    "approved": gettext_lazy("%(order)s: approved and confirmed in Odoo; the contact was told."),
    "rejected": gettext_lazy("%(order)s: rejected and cancelled in Odoo; the contact was told the reason."),
    "odoo_unreachable": gettext_lazy("%(order)s: Odoo could not be reached (%(error)s); the decision is kept and "
                                     "reaches Odoo as soon as it answers."),
    "odoo_refused": gettext_lazy("%(order)s: Odoo refused: %(error)s"),
    "odoo_not_approved": gettext_lazy("%(order)s: Odoo did not approve it (%(error)s); the Odoo integration user "
                                      "needs the Purchase Administrator right, or approve it in Odoo."),
    "pending_odoo": gettext_lazy("%(order)s: not yet in Odoo (%(error)s); it will be pushed when Odoo is back — "
                                 "try again then."),
    "dry_run": gettext_lazy("%(order)s: DRY_RUN is on; nothing was written to Odoo."),
}


def _decision_error(exc: DomainError, order: PurchaseOrder) -> str:
    """The services' refusals in the staff's language (the services speak English in logs and APIs)."""
    if isinstance(exc, ApprovalDenied):
        return _("you may not approve or reject orders.")
    if isinstance(exc, InvalidTransition):
        order.refresh_from_db()
        return _("it is no longer waiting for approval (now: %(state)s).") % {"state": order.get_state_display()}
    if exc.code == "reason_required":
        return _("a reason is required to reject.")
    return exc.message


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    return target if target and allowed else ""


# --- the order page's parts ---------------------------------------------------------------------------------------

def _order_title(order: PurchaseOrder) -> str:
    # Odoo's words: a request for quotation or a quotation until it is confirmed, then a purchase or sales order.
    words = modes.labels(order.mode)
    noun = words.quotation if order.state in ACTIVE_STATES else words.order
    return f"{noun} {order.display_name}"


def _status_steps(order: PurchaseOrder) -> list[dict]:
    steps = STATUS_STEPS + ([OrderState.CANCELLED] if order.state == OrderState.CANCELLED else [])
    current = steps.index(order.state) if order.state in steps else -1
    return [{"state": state, "label": OrderState(state).label,
             "css": "current" if i == current else ("done" if i < current else "todo")}
            for i, state in enumerate(steps)]


def _lines(order: PurchaseOrder) -> list[dict]:
    return [{"line": line, "product": line.product, "quantity": quantity(line.quantity),
             "unit_price": money(line.unit_price, order.currency), "subtotal": money(line.subtotal, order.currency),
             "stock": quantity(line.product.available), "short": line.product.available < line.quantity}
            for line in order.lines.select_related("product")]


def _totals(order: PurchaseOrder) -> dict:
    tax = order.amount_total - order.amount_untaxed
    return {"net": money(order.amount_untaxed, order.currency), "tax": money(tax, order.currency),
            "total": money(order.amount_total, order.currency)}


def _recent_messages(order: PurchaseOrder) -> list:
    if not order.conversation_id:
        return []
    return list(order.conversation.messages.filter(private=False).order_by("-created_at", "-id")
                [:RECENT_MESSAGES])[::-1]


def _odoo_url(order: PurchaseOrder) -> str:
    if not order.odoo_id:
        return ""
    return settings.ODOO_URL.rstrip("/") + ODOO_FORM_PATH.format(id=order.odoo_id,
                                                                 model=modes.labels(order.mode).odoo_model)
