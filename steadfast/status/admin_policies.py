"""Admin for policies, their audit trail, and the dry run: what each policy would do now, changing nothing."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ShopTimeAdminMixin
from steadfast.status.models import Action, Condition, Mode, Policy, PolicyEvent
from steadfast.status.policies import policies_dry_run


class PolicyForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(
        label=_("Actions"), choices=Action.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = Policy
        fields = [
            "name", "enabled", "condition", "provider_kind", "out_seconds", "window_minutes", "error_percent",
            "min_requests", "actions", "mode", "message",
        ]

    def clean(self):
        data = super().clean()
        if data.get("condition") == Condition.PROVIDER_OUT and not data.get("provider_kind"):
            self.add_error("provider_kind", _("Choose the kind of provider this policy watches."))
        if Action.SET_MODE in (data.get("actions") or ()) and data.get("mode") == Mode.OPEN:
            self.add_error("mode", _("Setting the mode to open is not an emergency action; choose another mode."))
        if data.get("condition") == Condition.ERROR_RATE_HIGH and not 1 <= (data.get("error_percent") or 0) <= 100:
            self.add_error("error_percent", _("Between 1 and 100."))
        if data.get("window_minutes") is not None and not 1 <= data["window_minutes"] <= 60:
            self.add_error("window_minutes", _("Between 1 and 60 minutes."))
        return data


class PolicyEventInline(ShopTimeAdminMixin, admin.TabularInline):
    model = PolicyEvent
    extra = 0
    fields = ["created_at", "action", "detail"]
    readonly_fields = fields
    can_delete = False
    max_num = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ["name", "enabled", "condition", "actions", "active_since"]
    list_filter = ["enabled", "condition"]
    readonly_fields = ["active_since", "incident"]
    inlines = [PolicyEventInline]
    change_list_template = "admin/status/policy/change_list.html"

    def get_urls(self):
        extra = [path("dry-run/", self.admin_site.admin_view(self.dry_run_view), name="status_policy_dry_run")]
        return extra + super().get_urls()

    def dry_run_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Policies: dry run"),
            "opts": self.model._meta,
            "verdicts": policies_dry_run(),
        }
        return TemplateResponse(request, "admin/status/policy/dry_run.html", context)

