from django.db import models

from core.models import TimeStampedModel


class Product(TimeStampedModel):
    """The local catalog, pulled from Odoo by `sync_catalog`. The router matches chat text against it."""

    default_code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    uom = models.CharField(max_length=64, help_text="Unit the mode orders in (purchase unit, or sales unit), e.g. kg, "
                                                    "Unidades, Caja x12, Saco 25 kg")
    price = models.DecimalField(max_digits=14, decimal_places=2, help_text="Purchase mode: vendor price (supplier "
                                "info, else cost). Sale mode: sales price (list price, before customer pricelists)")
    currency = models.CharField(max_length=8, default="CLP")
    vendor_name = models.CharField(max_length=255, blank=True)
    odoo_product_id = models.BigIntegerField(null=True, blank=True, unique=True)
    odoo_vendor_id = models.BigIntegerField(null=True, blank=True)
    qty_available = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    purchase_ok = models.BooleanField(default=True)
    sale_ok = models.BooleanField(default=False, help_text="Odoo offers it for sale (the catalog of sale mode)")
    active = models.BooleanField(default=True)
    # Extra names people use for it ("aceite coco", "quinua"), editable in the admin; used by the matcher.
    aliases = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"[{self.default_code}] {self.name}"


class OrderState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Quote sent"
    TO_APPROVE = "to_approve", "Awaiting approval"
    CONFIRMED = "confirmed", "Confirmed"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATES = (OrderState.DRAFT, OrderState.SENT, OrderState.TO_APPROVE)


class OdooSyncStatus(models.TextChoices):
    PENDING = "pending", "Pending push to Odoo"
    SYNCED = "synced", "In sync with Odoo"
    FAILED = "failed", "Odoo refused it (see events)"
    DRY_RUN = "dry_run", "Not sent (DRY_RUN)"


class PurchaseOrder(TimeStampedModel):
    contact = models.ForeignKey("conversations.Contact", on_delete=models.PROTECT, related_name="purchase_orders")
    conversation = models.ForeignKey("conversations.Conversation", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="purchase_orders")
    state = models.CharField(max_length=16, choices=OrderState.choices, default=OrderState.DRAFT, db_index=True)
    odoo_id = models.BigIntegerField(null=True, blank=True, unique=True)
    odoo_name = models.CharField(max_length=64, blank=True)
    odoo_state = models.CharField(max_length=16, blank=True, help_text="Odoo's own state, as last read")
    odoo_partner_id = models.BigIntegerField(null=True, blank=True)
    # The database is the record of pending work (STYLE habit 9): pending until Odoo has the current version.
    odoo_sync_status = models.CharField(max_length=16, choices=OdooSyncStatus.choices,
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
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.before}→{self.after} by {self.actor}"
