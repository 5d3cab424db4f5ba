"""Staff console for the agents: FAQs are editable; turns and sessions are read-only records for superusers."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from agents.models import FAQ, Session, Turn
from core.admin import ReadOnlyAdmin, SuperuserOnlyMixin


@admin.register(FAQ)
class FAQAdmin(admin.ModelAdmin):
    list_display = ("title", "key", "active", "position", "updated_at")
    list_editable = ("active", "position")
    list_filter = ("active",)
    search_fields = ("title", "key", "answer")


@admin.register(Turn)
class TurnAdmin(SuperuserOnlyMixin, ReadOnlyAdmin):
    list_display = ("id", "conversation", "created_at", "lane", "intent", "source", "confidence", "agent",
                    "latency_ms", "handoff_reason", "has_error")
    list_filter = ("lane", "intent", "source", "agent", "handoff_reason")
    search_fields = ("text", "reply", "conversation__chatwoot_id")
    date_hierarchy = "created_at"

    @admin.display(boolean=True, description=gettext_lazy("error"))
    def has_error(self, obj: Turn) -> bool:
        return bool(obj.error)


@admin.register(Session)
class SessionAdmin(SuperuserOnlyMixin, ReadOnlyAdmin):
    list_display = ("id", "conversation", "is_active", "schema_version", "version", "started_at", "last_activity_at")
    list_filter = ("is_active", "schema_version")
