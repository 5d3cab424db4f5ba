from django.db import models

from core.models import TimeStampedModel


class Product(TimeStampedModel):
    """The local catalog, pulled from Odoo by `sync_catalog`. The router matches chat text against it."""

    default_code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    uom = models.CharField(max_length=64, help_text="Purchase unit, e.g. kg, Unidades, Caja x12, Saco 25 kg")
    price = models.DecimalField(max_digits=14, decimal_places=2, help_text="Vendor price (supplier info, else cost)")
    currency = models.CharField(max_length=8, default="CLP")
    vendor_name = models.CharField(max_length=255, blank=True)
    odoo_product_id = models.BigIntegerField(null=True, blank=True, unique=True)
    odoo_vendor_id = models.BigIntegerField(null=True, blank=True)
    qty_available = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    purchase_ok = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    # Extra names people use for it ("aceite coco", "quinua"), editable in the admin; used by the matcher.
    aliases = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"[{self.default_code}] {self.name}"
