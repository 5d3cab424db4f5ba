"""The conversation console: the handoff list and the conversation page, which show conversations together with
their session (agents) and the contact's active order (orders), so they live on the top floor.

Take over, hand back, staff replies and retries call the handoff services in `conversations.handoff`; the page
itself only reads. Actions `take_over` and `hand_back` are the changelist action names of CONTRACT section 5.
"""

from __future__ import annotations

import json
from collections import Counter

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from agents.models import Session
from conversations.handoff import (
    REPLY_MAX_CHARS, TakeOver, conversation_message_retry, conversation_staff_hand_back, conversation_staff_reply,
    conversation_take_over, conversation_transcript, reason_label,
)
from conversations.models import (
    Conversation, ConversationEvent, ConversationMode, HandoffCase, HandoffReason, Message, StaffProfile,
)
from core import admin as core_admin
from core.errors import DomainError
from orders.models import ACTIVE_STATES, PurchaseOrder

DRAFT_KEY = "handoff_reply_draft:{}"


class ReadOnlyInline(core_admin.ReadOnlyInline):
    show_change_link = False


class ConversationEventInline(ReadOnlyInline):
    model = ConversationEvent
    verbose_name_plural = "Audit (mode changes, take-overs, hand-backs, staff replies)"
    fields = readonly_fields = ("created_at", "kind", "actor", "before", "after", "reason")


# --- the conversation list ----------------------------------------------------------------------------------------

class HandoffReasonFilter(admin.SimpleListFilter):
    title = "why (handoff reason)"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return HandoffReason.choices

    def queryset(self, request, queryset):
        return queryset.filter(handoff_reason=self.value()) if self.value() else queryset


class WaitNoticeFilter(admin.SimpleListFilter):
    title = "waiting too long"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Notice raised")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(mode=ConversationMode.HUMAN, handoff_alerted_at__isnull=False)
        return queryset


def _age(since) -> str:
    minutes = max(int((timezone.now() - since).total_seconds() // 60), 0)
    if minutes >= 1440:
        return f"{minutes // 1440}d {minutes % 1440 // 60}h"
    return f"{minutes // 60}h {minutes % 60:02d}m"


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("chatwoot_id", "why", "since", "channel", "contact", "last_message", "mode", "taken_by",
                    "is_active")
    list_display_links = ("chatwoot_id", "why")
    list_filter = ("mode", "channel", HandoffReasonFilter, WaitNoticeFilter, "is_active", "chatwoot_status")
    search_fields = ("contact__name", "contact__phone_e164", "contact__email", "chatwoot_id")
    list_select_related = ("contact", "taken_by")
    actions = ["take_over", "hand_back"]
    inlines = [ConversationEventInline]
    fieldsets = [
        (None, {"fields": ("contact_link", "channel", "mode", "why", "handoff_at", "waiting", "taken_by",
                           "handoff_summary")}),
        ("Chatwoot", {"fields": ("chatwoot_id", "account_id", "inbox_id", "chatwoot_status", "assignee_chatwoot_id",
                                 "can_reply", "is_active", "started_at", "ended_at", "last_message_at")}),
        ("Session state (read-only)", {"fields": ("session_lane", "session_slots",
                                                  "active_order")}),
    ]
    readonly_fields = [field for group in fieldsets for field in group[1]["fields"]]

    def get_queryset(self, request):
        latest = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
        return super().get_queryset(request).annotate(last_text=Subquery(latest.values("content")[:1]),
                                                      last_at=Subquery(latest.values("created_at")[:1]))

    def get_ordering(self, request):
        # Waiting for a human first, the oldest handoff first; then the rest by latest activity.
        human_first = Case(When(mode=ConversationMode.HUMAN, then=Value(0)), default=Value(1),
                           output_field=IntegerField())
        return [human_first.asc(), F("handoff_at").asc(nulls_last=True), F("last_message_at").desc(nulls_last=True)]

    def has_add_permission(self, request):
        return False  # conversations come from Chatwoot

    def has_delete_permission(self, request, obj=None):
        return False  # retention removes old content; deleting here would lose messages and audit rows

    def save_model(self, request, obj, form, change):
        """Nothing to save: every field is read-only and changes go through the services (a full-row save of a
        stale instance would overwrite a concurrent mode change)."""

    # --- list columns ---------------------------------------------------------------------------------------
    @admin.display(description="Why", ordering="handoff_reason")
    def why(self, conversation):
        return reason_label(conversation.handoff_reason) if conversation.mode == ConversationMode.HUMAN else "—"

    @admin.display(description="Since", ordering="handoff_at")
    def since(self, conversation):
        if conversation.mode != ConversationMode.HUMAN or conversation.handoff_at is None:
            return "—"
        if conversation.handoff_alerted_at:
            return format_html('<strong class="handoff-overdue" style="color:#ba2121" title="{}">⚠ {}</strong>',
                               "Waiting too long: notice raised", _age(conversation.handoff_at))
        return _age(conversation.handoff_at)

    @admin.display(description="Last message", ordering="last_message_at")
    def last_message(self, conversation):
        text = " ".join((getattr(conversation, "last_text", None) or "").split())
        # Our own outbound rows do not move `last_message_at` (ingestion sets it), so the time is the row's own.
        last_at = getattr(conversation, "last_at", None)
        when = timezone.localtime(last_at).strftime("%Y-%m-%d %H:%M") if last_at else ""
        return format_html("<small>{}</small> {}", when, text[:80] + ("…" if len(text) > 80 else ""))

    # --- page fields ----------------------------------------------------------------------------------------
    @admin.display(description="Contact")
    def contact_link(self, conversation):
        contact = conversation.contact
        url = reverse("admin:conversations_contact_change", args=[contact.pk])
        details = " · ".join(part for part in (contact.phone_e164, contact.email) if part)
        return format_html('<a href="{}">{}</a> <small>{}</small>', url, str(contact), details)

    @admin.display(description="Waiting")
    def waiting(self, conversation):
        return self.since(conversation)

    @admin.display(description="Bot's handoff note")
    def handoff_summary(self, conversation):
        case = HandoffCase.objects.filter(conversation=conversation).order_by("-created_at", "-id").first()
        if case is None:
            return "—"
        return format_html('<div style="white-space:pre-wrap">{}</div>', case.summary)

    @admin.display(description="Lane / intent (last turn)")
    def session_lane(self, conversation):
        last = self._session_document(conversation).get("last") or {}
        return f"{last.get('lane') or '—'} / {last.get('intent') or '—'}"

    @admin.display(description="Slots")
    def session_slots(self, conversation):
        slots = self._session_document(conversation).get("slots") or {}
        return format_html("<pre>{}</pre>", json.dumps(slots, ensure_ascii=False, indent=2))

    @admin.display(description="Active order")
    def active_order(self, conversation):
        order = (PurchaseOrder.objects.filter(contact_id=conversation.contact_id, state__in=ACTIVE_STATES)
                 .order_by("-created_at").first())
        if order is None:
            return "—"
        url = reverse("admin:orders_purchaseorder_change", args=[order.pk])
        return format_html('<a href="{}">{}</a> ({})', url, str(order), order.get_state_display())

    def _session_document(self, conversation) -> dict:
        if not hasattr(conversation, "_session_document"):
            session = Session.objects.filter(conversation=conversation, is_active=True).first()
            conversation._session_document = session.document if session else {}
        return conversation._session_document

    # --- the page: transcript and reply box -----------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        conversation = self.get_object(request, object_id)
        extra = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        if conversation is not None:
            lines, total = conversation_transcript(conversation=conversation)
            extra.update(transcript=lines, transcript_total=total, reply_max_chars=REPLY_MAX_CHARS,
                         reply_draft=request.session.pop(DRAFT_KEY.format(conversation.pk), ""))
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        def view(func):  # login and staff first (admin_view), then POST only: these views change things
            return self.admin_site.admin_view(require_POST(func))

        return [
            path("<path:object_id>/reply/", view(self.reply_view), name="%s_%s_reply" % info),
            path("<path:object_id>/take_over/", view(self.take_over_view), name="%s_%s_take_over" % info),
            path("<path:object_id>/hand_back/", view(self.hand_back_view), name="%s_%s_hand_back" % info),
            path("<path:object_id>/messages/<int:message_id>/retry/", view(self.retry_view),
                 name="%s_%s_retry" % info),
            *super().get_urls(),
        ]

    def reply_view(self, request, object_id):
        conversation = self._for_change(request, object_id)
        content = request.POST.get("reply_content", "")
        try:  # the service checks the text (empty, too long) so every caller gets the same rules
            message = conversation_staff_reply(conversation_id=conversation.pk, user=request.user, content=content)
        except DomainError as exc:
            request.session[DRAFT_KEY.format(conversation.pk)] = content  # nothing typed is lost
            self.message_user(request, f"Reply not sent: {exc.message}", messages.ERROR)
            return self._back_to_page(conversation, anchor="reply-box")
        self.message_user(request, f"Reply {message.pk} queued for Chatwoot; its delivery state shows in the "
                                   "transcript.", messages.SUCCESS)
        return self._back_to_page(conversation, anchor="transcript")

    def take_over_view(self, request, object_id):
        conversation = self._for_change(request, object_id)
        self.take_over(request, Conversation.objects.filter(pk=conversation.pk))
        return self._back_to_page(conversation)

    def hand_back_view(self, request, object_id):
        conversation = self._for_change(request, object_id)
        self.hand_back(request, Conversation.objects.filter(pk=conversation.pk))
        return self._back_to_page(conversation)

    def retry_view(self, request, object_id, message_id):
        conversation = self._for_change(request, object_id)
        try:
            moved = conversation_message_retry(conversation_id=conversation.pk, message_id=message_id,
                                               user=request.user)
        except DomainError as exc:
            raise Http404(exc.message) from exc
        if moved:
            self.message_user(request, f"Message {message_id} queued again for sending.", messages.SUCCESS)
        else:
            self.message_user(request, f"Message {message_id} was not failed (already retried or sent).",
                              messages.WARNING)
        return self._back_to_page(conversation, anchor="transcript")

    def _for_change(self, request, object_id) -> Conversation:
        """The conversation for a console POST view, or 404/403 (the change permission gates them)."""
        conversation = self.get_object(request, object_id)
        if conversation is None:
            raise Http404("No such conversation.")
        if not self.has_change_permission(request, conversation):
            raise PermissionDenied
        return conversation

    def _back_to_page(self, conversation, *, anchor: str = "") -> HttpResponseRedirect:
        url = reverse("admin:conversations_conversation_change", args=[conversation.pk])
        return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))

    # --- actions (CONTRACT section 5) -----------------------------------------------------------------------
    @admin.action(description="Take over (a person answers; the bot goes quiet)", permissions=["change"])
    def take_over(self, request, queryset):
        outcomes = self._each(request, queryset,
                              lambda pk: conversation_take_over(conversation_id=pk, user=request.user))
        done = outcomes[TakeOver.TAKEN] + outcomes[TakeOver.CLAIMED]
        text = f"Took over {done} conversation(s)."
        if outcomes[TakeOver.ALREADY_THEIRS]:
            text += f" {outcomes[TakeOver.ALREADY_THEIRS]} already yours."
        self.message_user(request, text, messages.SUCCESS)
        if done and not StaffProfile.objects.filter(user=request.user).exists():
            self.message_user(request, "Your Chatwoot agent id is not set (Staff profiles), so Chatwoot does not "
                                       "show these conversations as assigned to you.", messages.WARNING)

    @admin.action(description="Hand back to the bot", permissions=["change"])
    def hand_back(self, request, queryset):
        outcomes = self._each(request, queryset,
                              lambda pk: conversation_staff_hand_back(conversation_id=pk, user=request.user))
        text = f"Handed {outcomes[True]} conversation(s) back to the bot."
        if outcomes[False]:
            text += f" {outcomes[False]} already with the bot."
        self.message_user(request, text, messages.SUCCESS)

    def _each(self, request, queryset, call) -> Counter:
        outcomes: Counter = Counter()
        for pk in queryset.values_list("pk", flat=True):
            try:
                outcomes[call(pk)] += 1
            except DomainError as exc:
                self.message_user(request, f"Conversation {pk}: {exc.message}", messages.ERROR)
        return outcomes


