from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel


class Product(TimeStampedModel):
    """The local catalog, pulled from Odoo by `sync_catalog`. The router matches chat text against it."""

    default_code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    uom = models.CharField(_("unit"), max_length=64,
                           help_text=_("Purchase unit, e.g. kg, Unidades, Caja x12, Saco 25 kg"))
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2,
                                help_text=_("Vendor price (supplier info, else cost)"))
    currency = models.CharField(_("currency"), max_length=8, default="CLP")
    vendor_name = models.CharField(_("vendor"), max_length=255, blank=True)
    odoo_product_id = models.BigIntegerField(_("Odoo product id"), null=True, blank=True, unique=True)
    odoo_vendor_id = models.BigIntegerField(_("Odoo vendor id"), null=True, blank=True)
    qty_available = models.DecimalField(_("stock on hand"), max_digits=14, decimal_places=3, default=0)
    purchase_ok = models.BooleanField(_("can be purchased"), default=True)
    active = models.BooleanField(_("active"), default=True)
    # Extra names people use for it ("aceite coco", "quinua"), editable in the admin; used by the matcher.
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    synced_at = models.DateTimeField(_("synced"), null=True, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"[{self.default_code}] {self.name}"


class OrderState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("order state", "Draft")
    SENT = "sent", pgettext_lazy("order state", "Quote sent")
    TO_APPROVE = "to_approve", pgettext_lazy("order state", "Awaiting approval")
    CONFIRMED = "confirmed", pgettext_lazy("order state", "Confirmed")
    RECEIVED = "received", pgettext_lazy("order state", "Received")
    CANCELLED = "cancelled", pgettext_lazy("order state", "Cancelled")


ACTIVE_STATES = (OrderState.DRAFT, OrderState.SENT, OrderState.TO_APPROVE)


class OdooSyncStatus(models.TextChoices):
    PENDING = "pending", _("Pending push to Odoo")
    SYNCED = "synced", _("In sync with Odoo")
    FAILED = "failed", _("Odoo refused it (see events)")
    DRY_RUN = "dry_run", _("Not sent (DRY_RUN)")


class PurchaseOrder(TimeStampedModel):
    contact = models.ForeignKey("conversations.Contact", verbose_name=_("contact"), on_delete=models.PROTECT,
                                related_name="purchase_orders")
    conversation = models.ForeignKey("conversations.Conversation", verbose_name=_("conversation"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="purchase_orders")
    state = models.CharField(_("state"), max_length=16, choices=OrderState.choices, default=OrderState.DRAFT,
                             db_index=True)
    odoo_id = models.BigIntegerField(null=True, blank=True, unique=True)
    odoo_name = models.CharField(max_length=64, blank=True)
    odoo_state = models.CharField(max_length=16, blank=True, help_text="Odoo's own state, as last read")
    odoo_partner_id = models.BigIntegerField(null=True, blank=True)
    # The database is the record of pending work (STYLE habit 9): pending until Odoo has the current version.
    odoo_sync_status = models.CharField(_("Odoo sync"), max_length=16, choices=OdooSyncStatus.choices,
                                        default=OdooSyncStatus.PENDING, db_index=True)
    odoo_error = models.TextField(blank=True)
    odoo_synced_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    origin = models.CharField(max_length=255, help_text="Sent to Odoo as `origin`: conversation + idempotency key")
    currency = models.CharField(max_length=8, default="CLP")
    amount_untaxed = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    amount_total = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    approved_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rejected_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Set when the contact confirmed while Odoo was unreachable: the sweeper confirms once the push succeeds.
    confirm_requested_at = models.DateTimeField(null=True, blank=True)
    # A short claim on pushing this order (compare-and-set), so two workers never create it twice at once.
    push_lease_until = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    receipt_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at"]
        permissions = [("approve_purchaseorder", "Can approve purchase orders")]
        constraints = [
            models.UniqueConstraint(fields=["contact"], condition=models.Q(state__in=ACTIVE_STATES),
                                    name="one_active_order_per_contact"),
        ]
        indexes = [models.Index(fields=["odoo_sync_status", "updated_at"])]

    def __str__(self) -> str:
        return self.odoo_name or f"PO-{self.pk} (local)"

    @property
    def display_name(self) -> str:
        return self.odoo_name or f"#{self.pk}"


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    uom = models.CharField(max_length=64)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    subtotal = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} {self.uom} {self.product.name}"


class PurchaseOrderEvent(models.Model):
    """Audit row: every transition and every staff or agent action on an order (STYLE habit 5). Never edited."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")
    actor = models.CharField(max_length=150, help_text="agent, system, odoo or user:<username>")
    kind = models.CharField(max_length=48)
    before = models.CharField(max_length=32, blank=True)
    after = models.CharField(max_length=32, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.before}→{self.after} by {self.actor}"
