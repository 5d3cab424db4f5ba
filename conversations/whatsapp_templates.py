"""WhatsApp templates for notices owed past the 24-hour window (PROTOCOL.md section 8).

WhatsApp takes free text only within 24 hours of the contact's last message. Past that, Chatwoot sends a message as
a template when it carries `template_params` (an approved template of the inbox: name, language, body parameters).
A turn's reply never needs one (the contact just wrote); a notice about their order may come days later (the
goods arrived), so a reply can carry the notice it tells (`OutboundNotice`: its kind and its fields), and staff map
each notice kind to an approved template (`MessageTemplate`, in the admin). Without a template for the kind, the
message fails with `whatsapp_window_closed` and the conversation goes to staff, saying why.

The models live here, imported by `conversations.models`; the sender reads them in `conversations.outbound.send`.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# WhatsApp refuses body parameters with new lines, tabs or more than four spaces in a row (error 132018).
FLATTEN = re.compile(r"\s*[\n\t]+\s*|\s{5,}")
PARAMETER_MAX = 1024


class TemplateCategory(models.TextChoices):
    UTILITY = "UTILITY", _("Utility")
    MARKETING = "MARKETING", _("Marketing")
    AUTHENTICATION = "AUTHENTICATION", _("Authentication")


def _parameter_names(value) -> None:
    if not isinstance(value, list) or not all(isinstance(name, str) and name.strip() for name in value):
        raise ValidationError(_('Give the notice fields in order, as a list of names: ["contact_name", "order_name"].'))


class MessageTemplate(models.Model):
    """Which approved WhatsApp template tells a notice kind past the 24-hour window, and which of the notice's
    fields fill its body parameters {{1}}, {{2}}... in order."""

    notice_kind = models.CharField(_("notice"), max_length=48, unique=True, help_text=_(
        "The order notice it tells: confirmed, approved, rejected, received, partly_done, cancelled, "
        "cancelled_in_odoo, quote_ready, odoo_delayed"))
    name = models.CharField(_("template name"), max_length=512,
                            help_text=_("The template's name as approved in WhatsApp Manager"))
    language = models.CharField(_("language"), max_length=16, default="es",
                                help_text=_("Its language code, e.g. es, es_CL, en_US"))
    category = models.CharField(_("category"), max_length=16, choices=TemplateCategory.choices,
                                default=TemplateCategory.UTILITY)
    parameters = models.JSONField(_("parameters"), default=list, blank=True, validators=[_parameter_names],
                                  help_text=_('Notice fields for {{1}}, {{2}}..., e.g. ["contact_name", "order_name", '
                                              '"status"]. Fields: contact_name, order_name, total, status, '
                                              'expected_date, reason, business_name, text'))
    # Read from the inbox's `message_templates` when the row was checked against Chatwoot (the admin form).
    body = models.TextField(_("body"), blank=True,
                            help_text=_("The template's body as WhatsApp approved it (read from Chatwoot)"))
    active = models.BooleanField(_("active"), default=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True,
                                      help_text=_("Last checked against Chatwoot's inbox"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["notice_kind"]
        verbose_name = _("WhatsApp template")
        verbose_name_plural = _("WhatsApp templates")

    def __str__(self) -> str:
        return f"{self.notice_kind} → {self.name} ({self.language})"

    def body_values(self, fields: dict) -> dict[str, str]:
        """{"1": ..., "2": ...} from the notice's fields; a field the notice lacks is a ValueError (WhatsApp would
        refuse the count)."""
        missing = [name for name in self.parameters if not str(fields.get(name) or "").strip()]
        if missing:
            raise ValueError(f"el aviso no trae {', '.join(missing)} para la plantilla «{self.name}»")
        return {str(n): flatten(fields[name]) for n, name in enumerate(self.parameters, start=1)}

    def rendered(self, values: dict[str, str]) -> str:
        """The body as the contact reads it (what the message shows in Chatwoot); empty when not known."""
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.body) if self.body else ""


def flatten(value) -> str:
    return FLATTEN.sub(" · ", str(value)).strip()[:PARAMETER_MAX]


class OutboundNotice(models.Model):
    """The notice an outbound message tells (order notices only): enough to send it as a template past the window."""

    message = models.OneToOneField("conversations.Message", on_delete=models.CASCADE, related_name="notice")
    kind = models.CharField(max_length=48)
    fields = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} notice of message {self.message_id}"
