"""Accounting as staff see it: backlog per system, the rows themselves, conflicts with both versions, held stock
imports to approve or reject, and the orders export for the bookkeeper."""

import json

from django.contrib import admin, messages
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from steadfast.accounting.backlog import accounting_backlog
from steadfast.accounting.conflicts import conflict_send_ours
from steadfast.accounting.export_view import export_view
from steadfast.accounting.models import Conflict, StockImport, SyncRow, SyncTarget
from steadfast.accounting.stock import stock_import_approve, stock_import_reject
from steadfast.accounting.stock_conflicts import stock_conflict_resolve
from steadfast.accounting.templatetags.accounting_tags import age_short
from steadfast.adminkit import ReadOnlyAdminMixin, ShopTimeAdminMixin
from steadfast.orders.services import actor_for


def _pretty(data):
    return format_html("<pre class='sf-json'>{}</pre>", json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))


@admin.register(SyncTarget)
class SyncTargetAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("provider", "backlog", "oldest", "health", "last_synced_at", "last_poll_at", "failures",
                    "error_short")
    fields = readonly_fields = ("provider", "failures", "last_error", "last_synced_at", "last_poll_at",
                                "next_attempt_at")

    def changelist_view(self, request, extra_context=None):
        self._backlog = {b.target.pk: b for b in accounting_backlog()}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [path("export/", self.admin_site.admin_view(export_view), name="accounting_export"),
                *super().get_urls()]

    @admin.display(description=_("waiting"))
    def backlog(self, target):
        return self._backlog[target.pk].size

    @admin.display(description=_("oldest waiting"))
    def oldest(self, target):
        return age_short(self._backlog[target.pk].age) or "-"

    @admin.display(description=_("state"))
    def health(self, target):
        why = self._backlog[target.pk].why
        return {"": _("working"), "not polling": _("1C has not polled"), "disabled": _("disabled"),
                "failing": _("failing, retrying")}.get(why, why)

    @admin.display(description=_("last error"))
    def error_short(self, target):
        return target.last_error[:120]


@admin.register(SyncRow)
class SyncRowAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("seq", "target", "order_number", "kind", "state", "attempts", "created_at", "done_at",
                    "last_error")
    list_filter = ("target", "state", "kind")
    search_fields = ("order_number",)
    list_select_related = ("target__provider",)
    actions = ("skip",)
    fields = readonly_fields = ("target", "seq", "event_id", "order_number", "kind", "state", "attempts",
                                "last_error", "created_at", "done_at", "snapshot")

    @admin.display(description=_("order as it was"))
    def snapshot(self, row):
        return _pretty(row.payload)

    @admin.action(permissions=["change"], description=_("Skip (the accounting system will not get these changes)"))
    def skip(self, request, queryset):
        # For a change accounting refuses for good (e.g. deleted there by hand): the rows behind it move on.
        count = queryset.filter(state=SyncRow.State.PENDING).update(state=SyncRow.State.SKIPPED,
                                                                    last_error=f"skipped by {actor_for(request.user)}")
        self.message_user(request, ngettext("%(n)d change skipped.", "%(n)d changes skipped.", count) % {"n": count})

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("accounting.change_syncrow")  # the skip action; the form stays read-only


class ResolvedFilter(admin.SimpleListFilter):
    title, parameter_name = _("resolved"), "resolved"

    def lookups(self, request, model_admin):
        return (("no", _("Open")), ("yes", _("Resolved")))

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(resolved_at__isnull=self.value() == "no")
        return queryset


@admin.register(Conflict)
class ConflictAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "target", "subject", "reference", "resolved_at", "resolution")
    list_filter = (ResolvedFilter, "target", "subject")
    search_fields = ("reference",)
    actions = ("send_ours", "take_theirs_stock", "keep_ours_stock", "resolve")
    fields = readonly_fields = ("target", "subject", "reference", "created_at", "ours_pretty", "theirs_pretty",
                                "resolved_at", "resolution")

    @admin.display(description=_("our version"))
    def ours_pretty(self, conflict):
        return _pretty(conflict.ours)

    @admin.display(description=_("their version"))
    def theirs_pretty(self, conflict):
        return _pretty(conflict.theirs)

    @admin.action(permissions=["change"], description=_("Send ours: overwrite the accounting system's copy"))
    def send_ours(self, request, queryset):
        done = sum(conflict_send_ours(conflict, actor_for(request.user)) for conflict in queryset)
        self.message_user(request, ngettext("%(n)d order will be sent again.", "%(n)d orders will be sent again.",
                                            done) % {"n": done})

    @admin.action(permissions=["change"], description=_("Stock: take the accounting system's quantity"))
    def take_theirs_stock(self, request, queryset):
        self._stock(request, queryset, take_theirs=True)

    @admin.action(permissions=["change"], description=_("Stock: keep the shop's quantity"))
    def keep_ours_stock(self, request, queryset):
        self._stock(request, queryset, take_theirs=False)

    def _stock(self, request, queryset, take_theirs):
        done = sum(stock_conflict_resolve(c, take_theirs, actor_for(request.user)) for c in queryset)
        self.message_user(request, ngettext("%(n)d stock conflict resolved.", "%(n)d stock conflicts resolved.",
                                            done) % {"n": done}, messages.SUCCESS if done else messages.WARNING)

    @admin.action(permissions=["change"], description=_("Mark resolved (settled by hand in both systems)"))
    def resolve(self, request, queryset):
        count = queryset.filter(resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolution=f"settled by hand by {actor_for(request.user)}"[:200])
        self.message_user(request, ngettext("%(n)d conflict resolved.", "%(n)d conflicts resolved.", count)
                          % {"n": count})

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("accounting.change_conflict")


@admin.register(StockImport)
class StockImportAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "source", "state", "reason", "changed", "decided_by")
    list_filter = ("state", "source")
    actions = ("approve", "reject")
    fields = readonly_fields = ("source", "state", "reason", "created_at", "report", "decided_at", "decided_by")

    @admin.display(description=_("changes"))
    def changed(self, record):
        return len(record.changes)

    @admin.display(description=_("what it would change"))
    def report(self, record):
        summary = record.summary or {}
        facts = [
            (_("catalog"), _("%(variants)s variants, %(units)s units in stock") % {
                "variants": summary.get("catalog_variants", "-"), "units": summary.get("catalog_units", "-")}),
            (_("changed"), _("%(changed)s variants: %(lowered)s lowered (%(zeroed)s to zero, %(units)s units)") % {
                "changed": summary.get("changed", 0), "lowered": summary.get("lowered", 0),
                "zeroed": summary.get("zeroed", 0), "units": summary.get("units_lost", 0)}),
            (_("not in the import (left alone)"), ", ".join(summary.get("missing", [])) or "-"),
            (_("unknown to the shop"), ", ".join(summary.get("unknown", [])) or "-"),
        ]
        listed = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", facts)
        rows = format_html_join("", "<tr><td>{}</td><td class='sf-num'>{}</td><td class='sf-num'>{}</td></tr>",
                                record.changes[:500])
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("SKU"), _("now"), _("after"))
        return format_html("<table id='sf-stock-summary'>{}</table><table id='sf-stock-report'>{}{}</table>", listed,
                           head, rows)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Read-only record: decisions are the list's actions, never a form save.
        extra = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
                 **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    @admin.action(permissions=["change"], description=_("Approve: apply the held stock import"))
    def approve(self, request, queryset):
        done = sum(stock_import_approve(record, actor_for(request.user)) for record in queryset)
        self.message_user(request, ngettext("%(n)d import applied.", "%(n)d imports applied.", done) % {"n": done},
                          messages.SUCCESS if done else messages.WARNING)

    @admin.action(permissions=["change"], description=_("Reject: keep the shop's stock"))
    def reject(self, request, queryset):
        done = sum(stock_import_reject(record, actor_for(request.user)) for record in queryset)
        self.message_user(request, ngettext("%(n)d import rejected.", "%(n)d imports rejected.", done) % {"n": done})

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("accounting.change_stockimport")
