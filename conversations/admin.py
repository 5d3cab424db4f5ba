"""Admin for the conversations app's own records: contacts, staff profiles (Chatwoot agent ids), messages
(read-only, with `retry`) and the raw webhook deliveries (read-only, with `reprocess`). The conversation console
itself (list and page) joins sessions and orders, so it lives in `console.admin`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from conversations import admin_templates  # noqa: F401 - registers the WhatsApp templates' admin
from conversations.handoff import conversation_message_retry
from conversations.ingest import webhook_delivery_reprocess
from conversations.models import (
    Contact, ContactIdentity, Direction, HandoffCase, Message, StaffProfile, WebhookDelivery,
)
from core import admin as core_admin


class ReadOnlyInline(core_admin.ReadOnlyInline):
    show_change_link = False


class ContactIdentityInline(ReadOnlyInline):
    model = ContactIdentity
    fields = readonly_fields = ("channel", "inbox_id", "source_id", "created_at")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("__str__", "chatwoot_id", "phone_e164", "email", "identifier", "is_anonymous", "merged_into")
    list_filter = ("is_anonymous",)
    search_fields = ("name", "phone_e164", "email", "identifier", "chatwoot_id")
    raw_id_fields = ("merged_into",)
    inlines = [ContactIdentityInline]


@admin.register(HandoffCase)
class HandoffCaseAdmin(core_admin.SuperuserOnlyMixin, core_admin.ReadOnlyAdmin):
    list_display = ("id", "conversation", "reason", "actor", "created_at", "ended_at")
    list_filter = ("reason",)
    search_fields = ("summary", "contact_text")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    """Which Chatwoot agent each staff member is, so a take-over assigns the conversation to them in Chatwoot."""

    list_display = ("user", "chatwoot_agent_id")
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    raw_id_fields = ("user",)


# --- messages (read-only) and deliveries --------------------------------------------------------------------------

@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: find failed sends across conversations and retry them (the same service as the transcript)."""

    list_display = ("id", "created_at", "conversation", "direction", "origin", "sender_kind", "status", "short_text",
                    "error")
    list_filter = ("status", "direction", "origin", "private")
    search_fields = ("content", "error", "conversation__chatwoot_id")
    list_select_related = ("conversation",)
    actions = ["retry"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Read-only: status changes only through the message state machine."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        hidden = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**hidden, **(extra_context or {})})

    @admin.display(description=gettext_lazy("Text"))
    def short_text(self, message):
        return message.content[:80]

    @admin.action(description=gettext_lazy("Retry the selected failed messages"), permissions=["change"])
    def retry(self, request, queryset):
        rows = list(queryset.filter(direction=Direction.OUTBOUND).values_list("pk", "conversation_id"))
        moved = sum(conversation_message_retry(conversation_id=conv, message_id=pk, user=request.user)
                    for pk, conv in rows)
        skipped = len(rows) - moved
        text = ngettext("%(n)d message is being sent again.", "%(n)d messages are being sent again.", moved) % {
            "n": moved}
        if skipped:
            text += " " + ngettext("%(n)d had not failed.", "%(n)d had not failed.", skipped) % {"n": skipped}
        self.message_user(request, text, messages.WARNING if skipped else messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(core_admin.SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("received_at", "event", "delivery_id", "outcome", "attempts", "error")
    list_filter = ("outcome", "event")
    search_fields = ("delivery_id", "dedupe_key", "error")
    actions = ["reprocess"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Reprocess the selected deliveries"), permissions=["change"])
    def reprocess(self, request, queryset):
        results = [webhook_delivery_reprocess(delivery_id=pk) for pk in queryset.values_list("pk", flat=True)]
        failed = results.count("failed")
        level = messages.WARNING if failed else messages.SUCCESS
        self.message_user(request, ngettext("Reprocessed %(n)d delivery (%(failed)d failed).",
                                            "Reprocessed %(n)d deliveries (%(failed)d failed).", len(results)) % {
            "n": len(results), "failed": failed}, level)
