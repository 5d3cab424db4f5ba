from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel


class Product(TimeStampedModel):
    """The local catalog, pulled from Odoo by `sync_catalog`. The router matches chat text against it."""

    default_code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    uom = models.CharField(_("unit"), max_length=64, help_text=_(
        "Unit the mode orders in (purchase unit, or sales unit), e.g. kg, Unidades, Caja x12, Saco 25 kg"))
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, help_text=_(
        "Purchase mode: vendor price (supplier info, else cost). Sale mode: sales price (list price, before "
        "customer pricelists)"))
    currency = models.CharField(_("currency"), max_length=8, default="CLP")
    vendor_name = models.CharField(_("vendor"), max_length=255, blank=True)
    odoo_product_id = models.BigIntegerField(_("Odoo product id"), null=True, blank=True, unique=True)
    odoo_vendor_id = models.BigIntegerField(_("Odoo vendor id"), null=True, blank=True)
    qty_available = models.DecimalField(_("stock on hand"), max_digits=14, decimal_places=3, default=0)
    # Odoo's `free_qty` (on hand minus what is already promised), where the stock app reports it.
    qty_free = models.DecimalField(_("free to use"), max_digits=14, decimal_places=3, null=True, blank=True,
                                   help_text=_("On hand minus what is already promised (sale mode)"))
    purchase_ok = models.BooleanField(_("can be purchased"), default=True)
    sale_ok = models.BooleanField(_("can be sold"), default=False,
                                  help_text=_("Odoo offers it for sale (the catalog of sale mode)"))
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

    @property
    def available(self):
        """What can be promised now: the free quantity where Odoo reports one, else the stock on hand."""
        return self.qty_free if self.qty_free is not None else self.qty_available


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
    # The database is the record of pending work: pending until Odoo has the current version.
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
    # When the contact said yes, and when a cancellation was asked for (the Odoo command may still be running).
    confirm_requested_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change of the lines (compare-and-set): an Odoo push carries the version it writes, and a
    # quote is only told for the version the order still has.
    lines_version = models.PositiveIntegerField(default=0)
    # A short claim on running this order's Odoo commands (compare-and-set): one runner per order at a time,
    # so its commands run in order and never twice at once.
    commands_lease_until = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # When Odoo expects the goods: purchase `date_planned`; sale `commitment_date`, else `expected_date`.
    expected_at = models.DateTimeField(_("expected"), null=True, blank=True)
    # ODOO_ORDER_MODEL when the order was created: its Odoo model for good (switching modes leaves it alone).
    mode = models.CharField(_("Odoo model"), max_length=8, default="purchase",
                            help_text=_("purchase: purchase.order; sale: sale.order"))

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
    # Odoo's discount in percent (a customer pricelist may give one), as last read.
    discount = models.DecimalField(_("discount %"), max_digits=6, decimal_places=2, default=0)
    # Received (purchase) or delivered (sale) so far, as Odoo last said.
    done_quantity = models.DecimalField(_("done"), max_digits=14, decimal_places=3, default=0)
    # Sale mode: the contact chose the whole line later over what is available now.
    wait_for_stock = models.BooleanField(_("whole line later"), default=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} {self.uom} {self.product.name}"


class NoticeState(models.TextChoices):
    """Whether an order event is something the contact should hear about, and whether they did."""

    NONE = "", "Not for the contact"
    PENDING = "pending", "To tell the contact"
    TOLD = "told", "Told the contact"
    WITHHELD = "withheld", "Not told: staff had the conversation"
    STALE = "stale", "Not told: overtaken by a newer change"


class PurchaseOrderEvent(models.Model):
    """Audit row: every transition and every staff or agent action on an order. Never edited, except its notice
    state: the order app writes events and never speaks to the contact; the agents turn the pending notices into
    replies (exactly once, by compare-and-set on `notice`)."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")
    actor = models.CharField(max_length=150, help_text="agent, system, odoo or user:<username>")
    kind = models.CharField(max_length=48)
    before = models.CharField(max_length=32, blank=True)
    after = models.CharField(max_length=32, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    notice = models.CharField(max_length=8, choices=NoticeState.choices, default=NoticeState.NONE, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "id"], condition=models.Q(notice="pending"),
                                name="order_event_notice_pending")]

    def __str__(self) -> str:
        return f"{self.kind} {self.before}→{self.after} by {self.actor}"


class CommandKind(models.TextChoices):
    PUSH = "push", _("Create or rewrite the order in Odoo")
    CONFIRM = "confirm", _("Confirm in Odoo")
    APPROVE = "approve", _("Approve in Odoo")
    CANCEL = "cancel", _("Cancel in Odoo")
    MARK_SENT = "mark_sent", _("Mark as sent in Odoo")


class CommandState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Refused by Odoo"
    SUPERSEDED = "superseded", "Overtaken by a newer command"


class OdooCommand(models.Model):
    """One write the order owes Odoo: written in the same transaction as the change that needs it, run after
    commit, re-driven by a sweeper until Odoo answered. Idempotent by design: `key` is unique (a retried turn
    cannot queue it twice), and after an unknown outcome (`maybe_done`) the runner looks the effect up in Odoo
    (the order's origin key, its state re-read) before repeating it."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="commands")
    kind = models.CharField(max_length=16, choices=CommandKind.choices)
    key = models.CharField(max_length=128, unique=True)
    lines_version = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=CommandState.choices, default=CommandState.PENDING)
    actor = models.CharField(max_length=150, default="agent")
    # Why (a rejection's reason the contact reads), who decided (staff user id for approvals and rejections).
    reason = models.TextField(blank=True)
    user = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The agent turn that decided it (a plain id: turns live on a higher floor); its outcome's notice joins it.
    turn_id = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    maybe_done = models.BooleanField(default=False, help_text="An earlier attempt may have reached Odoo")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.order_id} v{self.lines_version} ({self.state})"
