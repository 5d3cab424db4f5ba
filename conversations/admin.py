"""Staff console for the conversations app: contacts, conversations with their messages and audit rows,
raw webhook deliveries (read-only) with a `reprocess` action. Actions call services (STYLE habit 17)."""

from __future__ import annotations

from django.contrib import admin, messages

from conversations.ingest import webhook_delivery_reprocess
from conversations.models import Contact, ContactIdentity, Conversation, ConversationEvent, Message, WebhookDelivery


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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


class MessageInline(ReadOnlyInline):
    model = Message
    fields = readonly_fields = ("created_at", "direction", "sender_kind", "sender_name", "private", "content",
                                "status", "error", "chatwoot_id")
    ordering = ("created_at", "id")


class ConversationEventInline(ReadOnlyInline):
    model = ConversationEvent
    fields = readonly_fields = ("created_at", "kind", "actor", "before", "after", "reason")


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("chatwoot_id", "contact", "channel", "mode", "chatwoot_status", "is_active", "last_message_at")
    list_filter = ("mode", "channel", "is_active", "chatwoot_status")
    search_fields = ("chatwoot_id", "contact__name", "contact__phone_e164", "contact__email")
    raw_id_fields = ("contact",)
    readonly_fields = ("mode", "handoff_reason", "handoff_at", "started_at", "ended_at")
    inlines = [MessageInline, ConversationEventInline]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("received_at", "event", "delivery_id", "outcome", "attempts", "error")
    list_filter = ("outcome", "event")
    search_fields = ("delivery_id", "dedupe_key", "error")
    actions = ["reprocess"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Reprocess the selected deliveries", permissions=["change"])
    def reprocess(self, request, queryset):
        results = [webhook_delivery_reprocess(delivery_id=pk) for pk in queryset.values_list("pk", flat=True)]
        failed = results.count("failed")
        level = messages.WARNING if failed else messages.SUCCESS
        self.message_user(request, f"Reprocessed {len(results)} deliveries ({failed} failed).", level)
