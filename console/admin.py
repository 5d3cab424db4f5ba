"""The conversation console: the list (the inbox) and the conversation page (thread, composer, side panel), which
show conversations together with their session (agents) and the contact's active order (orders), so they live on
the top floor. Also the console's own admin site settings (its name; no "View site" link).

Take over, hand back, staff replies and retries call the handoff services in `conversations.handoff`; the page
itself only reads. Actions `take_over` and `hand_back` are the changelist action names of CONTRACT section 5.
The page's buttons are plain forms (they work without JavaScript: post, then back to the page); the page's script
sends them with `Accept: application/json` and gets the new thread, header and panel back instead of a redirect.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from console.inbox.panel import side_panel
from console.inbox.thread import conversation_thread, thread_fingerprint
from conversations.handoff import (
    REPLY_MAX_CHARS, TakeOver, conversation_message_retry, conversation_staff_hand_back, conversation_staff_reply,
    conversation_take_over, reason_label,
)
from conversations.models import Conversation, ConversationMode, Direction, HandoffReason, Message, StaffProfile
from core.errors import DomainError
from core.formats import duration, moment

DRAFT_KEY = "handoff_reply_draft:{}"
# Seconds between the page's checks for new messages and ticks (it stops while the tab is hidden).
POLL_SECONDS = 3
HUMAN, BOT = ConversationMode.HUMAN, ConversationMode.BOT

admin.site.site_header = format_lazy("{} · {}", settings.BUSINESS_NAME, gettext_lazy("staff console"))
admin.site.site_title = gettext_lazy("Staff console")
admin.site.index_title = gettext_lazy("Start")
admin.site.site_url = None  # nothing is served at "/": no "View site" link

# --- the conversation list ----------------------------------------------------------------------------------------


class InboxFilter(admin.SimpleListFilter):
    """The inbox's views, as in Chatwoot: waiting for a person, mine, with the bot, all."""

    title = gettext_lazy("inbox")
    parameter_name = "inbox"

    def lookups(self, request, model_admin):
        return [("waiting", _("Waiting for a person")), ("mine", _("Mine")), ("bot", _("With the bot"))]

    def queryset(self, request, queryset):
        views = {"waiting": lambda q: q.filter(mode=HUMAN, taken_by__isnull=True),
                 "mine": lambda q: q.filter(mode=HUMAN, taken_by=request.user),
                 "bot": lambda q: q.filter(mode=BOT)}
        return views[self.value()](queryset) if self.value() in views else queryset


class HandoffReasonFilter(admin.SimpleListFilter):
    title = gettext_lazy("why it waits")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return HandoffReason.choices

    def queryset(self, request, queryset):
        return queryset.filter(handoff_reason=self.value()) if self.value() else queryset


class WaitNoticeFilter(admin.SimpleListFilter):
    title = gettext_lazy("waiting too long")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Staff were notified"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(mode=HUMAN, handoff_alerted_at__isnull=False)
        return queryset


def _waited(since) -> str:
    return duration((timezone.now() - since).total_seconds())


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("contact_column", "last_words", "waiting_column", "handled_by")
    list_display_links = ("contact_column",)
    list_filter = (InboxFilter, "mode", "channel", HandoffReasonFilter, WaitNoticeFilter, "is_active")
    search_fields = ("contact__name", "contact__phone_e164", "contact__email", "chatwoot_id")
    list_select_related = ("contact", "taken_by")
    # An inbox page, not a report: 50 rows render in half the time of the admin's 100 (bench/console.py).
    list_per_page = 50
    actions = ["take_over", "hand_back"]
    change_form_template = "admin/conversations/conversation/inbox.html"

    def get_queryset(self, request):
        # The contact's own last words: the newest public inbound message (never our note or the bot's reply).
        said = Message.objects.filter(conversation=OuterRef("pk"), direction=Direction.INBOUND,
                                      private=False).order_by("-created_at", "-id")
        return super().get_queryset(request).annotate(last_text=Subquery(said.values("content")[:1]),
                                                      last_at=Subquery(said.values("created_at")[:1]))

    def get_ordering(self, request):
        # Waiting for a human first, the oldest handoff first; then the rest by latest activity.
        human_first = Case(When(mode=HUMAN, then=Value(0)), default=Value(1), output_field=IntegerField())
        return [human_first.asc(), F("handoff_at").asc(nulls_last=True), F("last_message_at").desc(nulls_last=True)]

    def has_add_permission(self, request):
        return False  # conversations come from Chatwoot

    def has_delete_permission(self, request, obj=None):
        return False  # retention removes old content; deleting here would lose messages and audit rows

    # --- list columns ---------------------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("Contact"), ordering="contact__name")
    def contact_column(self, conversation):
        contact = conversation.contact
        reach = contact.phone_e164 or contact.email
        return format_html('<strong>{}</strong><br><small class="quiet">{}{}</small>', str(contact),
                           conversation.get_channel_display(), f" · {reach}" if reach else "")

    @admin.display(description=gettext_lazy("Last words"), ordering="last_at")
    def last_words(self, conversation):
        text = " ".join((conversation.last_text or "").split())
        if not text and not conversation.last_at:
            return "—"
        when = timezone.localtime(conversation.last_at)
        shown = date_format(when, "H:i") if when.date() == timezone.localdate() else moment(when)
        return format_html('<span class="console-last-words">{}</span> <small class="quiet">{}</small>',
                           text[:90] + ("…" if len(text) > 90 else ""), shown)

    @admin.display(description=gettext_lazy("Waiting"), ordering="handoff_at")
    def waiting_column(self, conversation):
        if conversation.mode != HUMAN or conversation.handoff_at is None:
            return "—"
        reason = reason_label(conversation.handoff_reason)
        if conversation.handoff_alerted_at:
            return format_html('<strong class="handoff-overdue" title="{}">⚠ {}</strong><br><small>{}</small>',
                               _("Waiting too long: staff were notified"), _waited(conversation.handoff_at), reason)
        return format_html("{}<br><small>{}</small>", _waited(conversation.handoff_at), reason)

    @admin.display(description=gettext_lazy("With"), ordering="mode")
    def handled_by(self, conversation):
        if conversation.mode == BOT:
            return _("the bot")
        if conversation.taken_by_id:
            user = conversation.taken_by
            return user.get_full_name() or user.get_username()
        return format_html("<strong>{}</strong>", _("nobody yet"))

    # --- the page -------------------------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        conversation = self._readable(request, object_id)
        if request.method == "POST":  # nothing on this page saves through the form; the buttons post elsewhere
            return self._back_to_page(conversation)
        context = {
            **self.admin_site.each_context(request), "title": str(conversation.contact), "opts": self.opts,
            "original": conversation, "is_nav_sidebar_enabled": False, "poll_seconds": POLL_SECONDS,
            "reply_max_chars": REPLY_MAX_CHARS,
            "reply_draft": request.session.pop(DRAFT_KEY.format(conversation.pk), ""),
            **self._live_context(request, conversation), **(extra_context or {}),
        }
        return TemplateResponse(request, self.change_form_template, context)

    def _live_context(self, request, conversation) -> dict:
        """What the poll refreshes: the thread, the header's buttons and the panel."""
        items, total = conversation_thread(conversation)
        can_change = self.has_change_permission(request, conversation)
        return {
            "items": items, "total": total, "fingerprint": thread_fingerprint(conversation.pk),
            "panel": side_panel(conversation), "has_change_permission": can_change,
            "can_take_over": can_change and (conversation.mode == BOT or conversation.taken_by_id != request.user.pk),
            "can_hand_back": can_change and conversation.mode == HUMAN,
            "mode_label": _mode_label(conversation, request.user),
        }

    def thread_view(self, request, object_id):
        """The poll: 204 when nothing changed since the fingerprint the page holds, else the fresh parts."""
        conversation = self._readable(request, object_id)
        if request.GET.get("v") == thread_fingerprint(conversation.pk):
            return HttpResponse(status=204)
        return self._parts(request, conversation)

    def _parts(self, request, conversation, *, notice: str = "", error: str = "") -> JsonResponse:
        conversation = Conversation.objects.select_related("contact", "taken_by").get(pk=conversation.pk)
        context = {"original": conversation, "request": request, "opts": self.opts,
                   **self._live_context(request, conversation)}
        base = "admin/conversations/conversation/"
        return JsonResponse({
            "fingerprint": context["fingerprint"], "notice": notice, "error": error,
            "header": render_to_string(base + "_header.html", context, request=request),
            "thread": render_to_string(base + "_thread.html", context, request=request),
            "panel": render_to_string(base + "_panel.html", context, request=request),
        })

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name

        def post(func):  # login and staff first (admin_view), then POST only: these views change things
            return self.admin_site.admin_view(require_POST(func))

        return [
            path("<path:object_id>/thread/", self.admin_site.admin_view(require_GET(self.thread_view)),
                 name="%s_%s_thread" % info),
            path("<path:object_id>/reply/", post(self.reply_view), name="%s_%s_reply" % info),
            path("<path:object_id>/take_over/", post(self.take_over_view), name="%s_%s_take_over" % info),
            path("<path:object_id>/hand_back/", post(self.hand_back_view), name="%s_%s_hand_back" % info),
            path("<path:object_id>/messages/<int:message_id>/retry/", post(self.retry_view),
                 name="%s_%s_retry" % info),
            *super().get_urls(),
        ]

    # --- the page's buttons ---------------------------------------------------------------------------------
    def reply_view(self, request, object_id):
        conversation = self._for_change(request, object_id)
        # Browsers submit a textarea's new lines as CRLF; the contact's phone shows the text, not the protocol.
        content = request.POST.get("reply_content", "").replace("\r\n", "\n")
        try:  # the service checks the text (empty, too long) so every caller gets the same rules
            conversation_staff_reply(conversation_id=conversation.pk, user=request.user, content=content)
        except DomainError as exc:
            error = _("Reply not sent: %(why)s") % {"why": domain_error_text(exc, content=content)}
            if not _wants_parts(request):
                request.session[DRAFT_KEY.format(conversation.pk)] = content  # nothing typed is lost
            return self._done(request, conversation, error, messages.ERROR, anchor="composer")
        return self._done(request, conversation, "", messages.SUCCESS)

    def take_over_view(self, request, object_id):
        conversation = self._for_change(request, object_id)
        try:
            outcome = conversation_take_over(conversation_id=conversation.pk, user=request.user)
        except DomainError as exc:
            return self._done(request, conversation, domain_error_text(exc), messages.ERROR)
        notice = _("This conversation was already yours.") if outcome == TakeOver.ALREADY_THEIRS else _(
            "You have the conversation: the bot stays quiet until you hand it back.")
        if outcome != TakeOver.ALREADY_THEIRS and not StaffProfile.objects.filter(user=request.user).exists():
            notice += " " + NO_PROFILE_WARNING
        return self._done(request, conversation, notice, messages.SUCCESS)

    def hand_back_view(self, request, object_id):
        conversation = self._for_change(request, object_id)
        switched = conversation_staff_hand_back(conversation_id=conversation.pk, user=request.user)
        notice = _("The bot has the conversation again.") if switched else _("The bot already had it.")
        return self._done(request, conversation, notice, messages.SUCCESS)

    def retry_view(self, request, object_id, message_id):
        conversation = self._for_change(request, object_id)
        try:
            moved = conversation_message_retry(conversation_id=conversation.pk, message_id=message_id,
                                               user=request.user)
        except DomainError as exc:
            raise Http404(domain_error_text(exc)) from exc
        if moved:
            return self._done(request, conversation, _("Sending the message again."), messages.SUCCESS)
        return self._done(request, conversation, _("That message had not failed (already sent or retried)."),
                          messages.WARNING)

    def _done(self, request, conversation, text: str, level, *, anchor: str = ""):
        """After a button: the fresh parts for the page's script, or a message and the page again."""
        if _wants_parts(request):
            failed = level == messages.ERROR
            return self._parts(request, conversation, notice="" if failed else text, error=text if failed else "")
        if text:
            self.message_user(request, text, level)
        return self._back_to_page(conversation, anchor=anchor)

    def _readable(self, request, object_id) -> Conversation:
        conversation = self.get_object(request, unquote(object_id))
        if conversation is None:
            raise Http404(_("No such conversation."))
        if not self.has_view_or_change_permission(request, conversation):
            raise PermissionDenied
        return conversation

    def _for_change(self, request, object_id) -> Conversation:
        """The conversation for a console POST view, or 404/403 (the change permission gates them)."""
        conversation = self._readable(request, object_id)
        if not self.has_change_permission(request, conversation):
            raise PermissionDenied
        return conversation

    def _back_to_page(self, conversation, *, anchor: str = "") -> HttpResponseRedirect:
        url = reverse("admin:conversations_conversation_change", args=[conversation.pk])
        return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))

    # --- actions (CONTRACT section 5) -----------------------------------------------------------------------
    @admin.action(description=gettext_lazy("Take over (a person answers; the bot goes quiet)"),
                  permissions=["change"])
    def take_over(self, request, queryset):
        outcomes = self._each(request, queryset,
                              lambda pk: conversation_take_over(conversation_id=pk, user=request.user))
        done = outcomes[TakeOver.TAKEN] + outcomes[TakeOver.CLAIMED]
        text = ngettext("You took %(n)d conversation.", "You took %(n)d conversations.", done) % {"n": done}
        if outcomes[TakeOver.ALREADY_THEIRS]:
            mine = outcomes[TakeOver.ALREADY_THEIRS]
            text += " " + ngettext("%(n)d was already yours.", "%(n)d were already yours.", mine) % {"n": mine}
        self.message_user(request, text, messages.SUCCESS)
        if done and not StaffProfile.objects.filter(user=request.user).exists():
            self.message_user(request, NO_PROFILE_WARNING, messages.WARNING)

    @admin.action(description=gettext_lazy("Hand back to the bot"), permissions=["change"])
    def hand_back(self, request, queryset):
        outcomes = self._each(request, queryset,
                              lambda pk: conversation_staff_hand_back(conversation_id=pk, user=request.user))
        text = ngettext("%(n)d conversation is back with the bot.", "%(n)d conversations are back with the bot.",
                        outcomes[True]) % {"n": outcomes[True]}
        if outcomes[False]:
            text += " " + ngettext("%(n)d already was.", "%(n)d already were.", outcomes[False]) % {
                "n": outcomes[False]}
        self.message_user(request, text, messages.SUCCESS)

    def _each(self, request, queryset, call) -> Counter:
        outcomes: Counter = Counter()
        for pk in queryset.values_list("pk", flat=True):
            try:
                outcomes[call(pk)] += 1
            except DomainError as exc:
                self.message_user(request, _("Conversation %(id)s: %(why)s") % {
                    "id": pk, "why": domain_error_text(exc)}, messages.ERROR)
        return outcomes


NO_PROFILE_WARNING = gettext_lazy("Your Chatwoot agent id is not set (Staff profiles), so Chatwoot does not show "
                                  "the conversation as assigned to you.")


def domain_error_text(exc: DomainError, *, content: str = "") -> str:
    """The services' errors in the staff's language (the services speak English in logs and APIs)."""
    texts = {
        "empty_reply": lambda: _("write something first."),
        "reply_too_long": lambda: _("it is too long (%(n)d characters, at most %(max)d).") % {
            "n": len(content.strip()), "max": REPLY_MAX_CHARS},
        "not_found": lambda: _("it is not in this conversation."),
    }
    return texts[exc.code]() if exc.code in texts else exc.message


def _wants_parts(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _mode_label(conversation: Conversation, user) -> str:
    if conversation.mode == BOT:
        return _("With the bot")
    if conversation.taken_by_id is None:
        return _("Waiting for a person")
    if conversation.taken_by_id == user.pk:
        return _("With you")
    taken_by = conversation.taken_by
    return _("With %(name)s") % {"name": taken_by.get_full_name() or taken_by.get_username()}


__all__ = ["ConversationAdmin", "domain_error_text"]
