"""Admin for WhatsApp templates: which approved template tells each order notice past the 24-hour window.

Saving an active row checks it against Chatwoot: the template must be approved in a WhatsApp inbox (its
`message_templates`, synced from Meta) in that language, with as many body parameters as notice fields given.
The body is kept, so the message shows in Chatwoot what the contact read.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.models import MessageTemplate
from conversations.outbound.templates import approved_template_find
from integrations.chatwoot.errors import ChatwootError


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["notice_kind", "name", "language", "category", "parameters", "active"]

    def clean(self):
        data = super().clean()
        if self.errors or not data.get("active"):
            return data
        try:
            found, seen = approved_template_find(name=data["name"], language=data["language"])
        except ChatwootError as exc:
            raise ValidationError(_(
                "Could not read the WhatsApp templates from Chatwoot (%(reason)s). Reading inboxes needs a user "
                "access token in CHATWOOT_API_TOKEN (an Agent Bot token cannot); or save it inactive for now.")
                % {"reason": exc.reason})
        if found is None:
            raise ValidationError(_(
                "Chatwoot has no approved WhatsApp template “%(name)s” in language “%(language)s” (approved: "
                "%(seen)s). Approve it in WhatsApp Manager, then sync the inbox's templates in Chatwoot.") % {
                "name": data["name"], "language": data["language"], "seen": ", ".join(seen) or _("none")})
        if len(found.placeholders) != len(data.get("parameters") or []):
            raise ValidationError(_(
                "The template's body has %(count)d parameter(s) (“%(body)s”): give as many notice fields in "
                "'parameters', in order.") % {"count": len(found.placeholders), "body": found.body})
        self.instance.body, self.instance.checked_at = found.body, timezone.now()
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("notice_kind", "name", "language", "category", "parameters", "active", "checked_at")
    list_filter = ("active", "category")
    search_fields = ("notice_kind", "name")
    readonly_fields = ("body", "checked_at")
