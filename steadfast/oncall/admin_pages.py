"""The admin's list of alert pages (state filters, who has it now, delivered) and each page's history."""

from django.contrib import admin, messages
from django.db.models import Prefetch
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steadfast.oncall.history import PAGING, page_delivery_counts, page_history
from steadfast.oncall.models import AlertPage, AlertPageEvent, OnCallPerson
from steadfast.oncall.pages import page_acknowledge
from steadfast.shoptime import shop_datetime


@admin.register(AlertPage)
class AlertPageAdmin(admin.ModelAdmin):
    list_display = ("opened_at", "summary", "critical", "state_badge", "paged_now", "delivered", "acknowledged_by",
                    "acknowledged_at")
    list_filter = ("state", "critical", "kind")
    search_fields = ("summary", "key", "acknowledged_by")
    date_hierarchy = "opened_at"
    actions = ("acknowledge",)
    change_list_template = "admin/oncall/alertpage/change_list.html"
    change_form_template = "admin/oncall/alertpage/change_form.html"
    fields = ("summary", "kind", "key", "critical", "state", "episode", "opened_at", "paged_now", "acknowledged_by",
              "acknowledged_at", "closed_at", "history")
    readonly_fields = fields

    def get_queryset(self, request):
        # The list's "paged" and "sent / delivered" columns read each page's events and their messages: fetched
        # for the whole list at once, so the list costs the same few queries for 1 page or 100.
        events = AlertPageEvent.objects.select_related("message").only(
            "page_id", "action", "note", "at", "message__status", "message__delivered_at")
        return super().get_queryset(request).prefetch_related(Prefetch("events", queryset=events))

    def has_add_permission(self, request):
        return False  # pages come from alerts, never by hand

    def has_change_permission(self, request, obj=None):
        return False  # read-only; acknowledging is the action

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_badge(self, page):
        return format_html('<span class="sf-badge sf-page-{}">{}</span>', page.state, page.get_state_display())

    @admin.display(description=gettext_lazy("paged"))
    def paged_now(self, page):
        names = [event.note for event in page.events.all() if event.action in PAGING]
        return " → ".join(names) or "-"

    @admin.display(description=gettext_lazy("sent / delivered"))
    def delivered(self, page):
        total, sent, delivered = page_delivery_counts(page)
        return _("%(sent)s of %(total)s sent, %(delivered)s delivered") % {
            "sent": sent, "total": total, "delivered": delivered}

    @admin.display(description=gettext_lazy("history"))
    def history(self, page):
        rows = format_html_join("", '<tr><td>{}</td><td class="sf-tone-{}"><strong>{}</strong></td><td>{}</td>'
                                    '<td>{}</td></tr>',
                                ((shop_datetime(line.at, "Y-m-d H:i:s"), line.tone or "plain", line.what,
                                  line.who, line.detail) for line in page_history(page)))
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>", _("time"), _("what"), _("who"),
                           _("how"))
        return format_html('<table id="sf-page-history"><thead>{}</thead><tbody>{}</tbody></table>', head, rows)

    @admin.action(description=gettext_lazy("Acknowledge (I take it)"))
    def acknowledge(self, request, queryset):
        person = OnCallPerson.objects.filter(email__iexact=request.user.email).first() if request.user.email else None
        who = request.user.get_full_name() or request.user.get_username()
        done = sum(page_acknowledge(page, who=who, person=person, user=request.user) for page in queryset)
        self.message_user(request, _("%(n)s alert(s) acknowledged by %(who)s.") % {"n": done, "who": who},
                          messages.SUCCESS if done else messages.WARNING)
