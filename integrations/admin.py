"""Read-only log of every outbound call (Odoo, LLM, Chatwoot, Slack): where operators look for integration errors."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from integrations.models import ExternalCall


@admin.register(ExternalCall)
class ExternalCallAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "system", "method", "outcome", "latency_ms", "short_error")
    list_filter = ("system", "outcome", "created_at")
    search_fields = ("method", "request_summary", "response_summary", "error")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    # The table grows with every call: skip the unfiltered COUNT(*) on each page.
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.display(description="Error")
    def short_error(self, call: ExternalCall) -> str:
        return call.error[:120]
