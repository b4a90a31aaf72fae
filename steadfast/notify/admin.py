"""The outbox as staff see it: what went out on which channel, what is waiting, what died; replay and cancel;
the fallback chains, editable; newsletter subscribers and campaigns (held while the shop is not open)."""

import secrets

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin

from steadfast.adminkit import ReadOnlyAdminMixin, ShopTimeAdminMixin
from steadfast.notify.campaigns import campaign_reschedule, campaign_resume
from steadfast.notify.chains import chain_parse
from steadfast.notify.models import (
    Campaign,
    DeliveryAttempt,
    MessageChain,
    NewsletterSubscriber,
    OutboxAlarm,
    OutboxMessage,
)
from steadfast.notify.outbox import outbox_cancel, outbox_replay
from steadfast.notify.preview import message_kinds, preview_all, sample_context
from steadfast.notify.render import kind_render, message_render


class DeliveryAttemptInline(ShopTimeAdminMixin, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    verbose_name_plural = _("delivery attempts")
    fields = readonly_fields = ("created_at", "channel", "provider", "outcome", "error")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "recipient", "order_link", "status", "attempts", "next_attempt_at",
                    "error_short")
    list_filter = ("status", "kind", "channel")
    search_fields = ("recipient", "key", "order__number")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    actions = ("replay", "cancel")
    inlines = (DeliveryAttemptInline,)
    fields = readonly_fields = (
        "key", "kind", "channel", "recipient", "addresses", "order_link", "status", "attempts", "next_attempt_at",
        "sent_at", "created_at", "last_error", "payload", "preview",
    )

    @admin.display(description=_("preview"))
    def preview(self, message):
        """What the person gets, per channel type, in their language (rendered now from the stored payload)."""
        parts = []
        for kind, label in (("email", _("E-mail")), ("sms", _("SMS / Telegram"))):
            try:
                rendered = message_render(message, kind)
            except TemplateDoesNotExist as error:
                parts.append(format_html("<p><strong>{}</strong>: {} {}</p>", label, _("missing template"), error))
                continue
            parts.append(format_html('<p><strong>{}</strong>: {}</p><pre style="white-space:pre-wrap;max-width:60em">{}'
                                     "</pre>", label, rendered.subject, rendered.text))
        return format_html_join("", "{}", ((part,) for part in parts))

    @admin.display(description=_("order"), ordering="order__number")
    def order_link(self, message):
        if message.order_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[message.order_id]),
                           message.order)

    @admin.display(description=_("last error"))
    def error_short(self, message):
        return (message.last_error[:80] + "…") if len(message.last_error) > 80 else message.last_error

    change_list_template = "admin/notify/outboxmessage/change_list.html"  # adds "Template previews"

    def get_urls(self):
        view = self.admin_site.admin_view(self.preview_view)
        # The HTML e-mail is shown in a sandboxed frame from this origin: framing by ourselves allowed, the mail's
        # inline styles too (it is our own template, rendered with sample data; no script runs in the sandbox).
        html = self.admin_site.admin_view(xframe_options_sameorigin(csp_replace(
            {"frame-ancestors": [SELF], "style-src": [SELF, UNSAFE_INLINE]})(self.preview_html)))
        return [path("preview/", view, name="notify_outboxmessage_preview"),
                path("preview/<slug:kind>/<slug:language>/html/", html, name="notify_outboxmessage_preview_html"),
                *super().get_urls()]

    def preview_html(self, request, kind, language):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if language not in dict(settings.LANGUAGES) or kind not in message_kinds():
            raise Http404
        return HttpResponse(kind_render(kind, "email", sample_context(), language).html)

    def preview_view(self, request):
        """Every kind of message with sample data, in one language: HTML, text, and the SMS length."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        languages = dict(settings.LANGUAGES)
        language = request.GET.get("lang") if request.GET.get("lang") in languages else "en"
        return TemplateResponse(request, "admin/notify/preview.html", {
            **self.admin_site.each_context(request), "title": _("Message templates"), "opts": self.model._meta,
            "languages": languages.items(), "language": language, "previews": preview_all(language)})

    def has_replay_permission(self, request):
        # The rows are read-only in the admin, but putting one back in the queue (or stopping it) is a change.
        return request.user.has_perm("notify.change_outboxmessage")

    has_cancel_permission = has_replay_permission

    @admin.action(description=_("Replay dead-lettered or cancelled messages"), permissions=("replay",))
    def replay(self, request, queryset):
        selected = list(queryset.values_list("pk", flat=True))
        done = outbox_replay(selected)
        self._report(request, done, len(selected) - done, ngettext(
            "%(n)d message is queued for delivery again.", "%(n)d messages are queued for delivery again.", done),
            ngettext("%(n)d selected message was not dead-lettered or cancelled and was left alone.",
                     "%(n)d selected messages were not dead-lettered or cancelled and were left alone.",
                     len(selected) - done))

    @admin.action(description=_("Cancel selected messages (they will not be sent)"), permissions=("cancel",))
    def cancel(self, request, queryset):
        selected = list(queryset.values_list("pk", flat=True))
        done = outbox_cancel(selected)
        self._report(request, done, len(selected) - done, ngettext(
            "%(n)d message is cancelled.", "%(n)d messages are cancelled.", done),
            ngettext("%(n)d selected message was sent already or is being sent right now, and was left alone.",
                     "%(n)d selected messages were sent already or are being sent right now, and were left alone.",
                     len(selected) - done))

    def _report(self, request, done, skipped, done_text, skipped_text):
        if done:
            self.message_user(request, done_text % {"n": done}, messages.SUCCESS)
        if skipped:
            self.message_user(request, skipped_text % {"n": skipped}, messages.WARNING)


class MessageChainForm(forms.ModelForm):
    class Meta:
        model = MessageChain
        fields = ["name", "channels"]

    def clean_channels(self):
        return ", ".join(chain_parse(self.cleaned_data["channels"]))


@admin.register(MessageChain)
class MessageChainAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    form = MessageChainForm
    list_display = ("name", "channels")
    search_fields = ("name",)


@admin.register(OutboxAlarm)
class OutboxAlarmAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("topic", "started_at", "ended_at", "details")
    list_filter = ("topic",)


@admin.register(NewsletterSubscriber)
class NewsletterSubscriberAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    list_display = ("email", "language", "opted_in_at", "unsubscribed_at")
    search_fields = ("email",)
    fields = ("email", "language", "opted_in_at", "unsubscribed_at")
    readonly_fields = ("opted_in_at", "unsubscribed_at")

    def save_model(self, request, obj, form, change):
        if not obj.token:
            obj.token = secrets.token_urlsafe(32)
        super().save_model(request, obj, form, change)


@admin.register(Campaign)
class CampaignAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "scheduled_at", "status", "held_reason")
    list_filter = ("status",)
    readonly_fields = ("status", "held_reason", "created_at")
    fields = ("subject", "body", "scheduled_at", "status", "held_reason", "created_at")
    actions = ("send_now",)

    def save_model(self, request, obj, form, change):
        held = change and Campaign.objects.filter(pk=obj.pk, status=Campaign.Status.HELD).exists()
        super().save_model(request, obj, form, change)
        if held and "scheduled_at" in form.changed_data:
            campaign_reschedule(obj, obj.scheduled_at)
            self.message_user(request, _("The campaign is rescheduled; it is sent then if the shop is open."))

    @admin.action(description=_("Send held campaigns now (only while the shop is open)"), permissions=("change",))
    def send_now(self, request, queryset):
        for campaign in queryset.filter(status=Campaign.Status.HELD):
            if campaign_resume(campaign) == "queued":
                self.message_user(request, _("%(subject)s: being sent.") % {"subject": campaign}, messages.SUCCESS)
            else:
                self.message_user(request, _("%(subject)s: still held, the shop is not open.") % {
                    "subject": campaign}, messages.WARNING)
