"""The outbox as staff see it: what went out, what is waiting, and what died and can be replayed."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from steadfast.adminkit import ReadOnlyAdminMixin
from steadfast.notify.models import OutboxMessage
from steadfast.notify.outbox import outbox_replay


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "recipient", "order_link", "status", "attempts", "next_attempt_at",
                    "error_short")
    list_filter = ("status", "kind", "channel")
    search_fields = ("recipient", "key", "order__number")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    actions = ("replay",)
    fields = readonly_fields = (
        "key", "kind", "channel", "recipient", "order_link", "status", "attempts", "next_attempt_at", "sent_at",
        "created_at", "last_error", "payload",
    )

    @admin.display(description=_("order"), ordering="order__number")
    def order_link(self, message):
        if message.order_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[message.order_id]),
                           message.order)

    @admin.display(description=_("last error"))
    def error_short(self, message):
        return (message.last_error[:80] + "…") if len(message.last_error) > 80 else message.last_error

    def has_replay_permission(self, request):
        # The rows are read-only in the admin, but putting one back in the queue is a change.
        return request.user.has_perm("notify.change_outboxmessage")

    @admin.action(description=_("Replay dead-lettered messages"), permissions=("replay",))
    def replay(self, request, queryset):
        selected = list(queryset.values_list("pk", flat=True))
        replayed = outbox_replay(selected)
        if replayed:
            self.message_user(request, ngettext(
                "%(n)d message is queued for delivery again.", "%(n)d messages are queued for delivery again.",
                replayed,
            ) % {"n": replayed}, messages.SUCCESS)
        skipped = len(selected) - replayed
        if skipped:
            self.message_user(request, ngettext(
                "%(n)d selected message was not dead-lettered and was left alone.",
                "%(n)d selected messages were not dead-lettered and were left alone.", skipped,
            ) % {"n": skipped}, messages.WARNING)
