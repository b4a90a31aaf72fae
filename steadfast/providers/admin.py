from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ReadOnlyAdminMixin, ShopTimeAdminMixin
from steadfast.providers.drill import FAULTS, provider_drill_end, provider_drill_start
from steadfast.providers.health import provider_health, recent_attempts, recent_events
from steadfast.providers.models import AlertEpisode, Attempt, HealthEvent, Provider, ProviderAudit, ProviderHealth
from steadfast.providers.selectors import provider_state
from steadfast.providers.services import (
    ProviderChangeError,
    provider_config_check,
    provider_config_replace,
    provider_disable,
    provider_enable,
)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput(attrs={"size": 80}))


class DrillForm(forms.Form):
    fault = forms.ChoiceField(label=_("Fault"), choices=[(name, label) for name, (label, _body) in FAULTS.items()],
                              widget=forms.RadioSelect)


class ProviderForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for a configuration change"), max_length=500, required=False,
        help_text=_("Required when you change the configuration; kept in the provider audit log."),
    )

    class Meta:
        model = Provider
        fields = ["kind", "code", "adapter", "name", "description", "priority", "enabled", "sla_target_pct", "config"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "config" in self.changed_data:
            if not (cleaned.get("change_reason") or "").strip():
                self.add_error("change_reason", _("Say why the configuration changes."))
            try:
                cleaned["config"] = provider_config_check(self.instance, cleaned.get("config") or {})
            except ProviderChangeError as error:
                raise ValidationError({"config": str(error)}) from None
        return cleaned


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ["name", "code", "kind", "priority", "enabled", "breaker_state"]
    list_filter = ["kind", "enabled"]
    search_fields = ["code", "name"]
    actions = ["enable_providers", "disable_providers", "start_fire_drill", "end_fire_drill"]
    change_list_template = "admin/providers/provider/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # Enabling and disabling go through the audited actions (with a reason), never a bare checkbox.
        return ["enabled"] if obj is not None else []

    @admin.display(description=_("state"))
    def breaker_state(self, obj):
        return _state_label(provider_state(obj))

    def save_model(self, request, obj, form, change):
        if change and "config" in form.changed_data:
            new_config = obj.config
            obj.config = Provider.objects.get(pk=obj.pk).config
            super().save_model(request, obj, form, change)
            provider_config_replace(obj, request.user, new_config, form.cleaned_data["change_reason"])
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Enable selected providers (asks for a reason)"), permissions=["change"])
    def enable_providers(self, request, queryset):
        return self._with_reason(request, queryset, "enable_providers", provider_enable, _("Enable providers"))

    @admin.action(description=_("Disable selected providers (asks for a reason)"), permissions=["change"])
    def disable_providers(self, request, queryset):
        return self._with_reason(request, queryset, "disable_providers", provider_disable, _("Disable providers"))

    @admin.action(description=_("Start fire drill (fake on 127.0.0.1 only)"), permissions=["change"])
    def start_fire_drill(self, request, queryset):
        form = DrillForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            fault = form.cleaned_data["fault"]
            return self._each(request, queryset, lambda provider: provider_drill_start(provider, request.user, fault))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Start fire drill"), "form": form, "providers": queryset, "action": "start_fire_drill",
            "opts": self.model._meta, "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/providers/provider/drill.html", context)

    @admin.action(description=_("End fire drill"), permissions=["change"])
    def end_fire_drill(self, request, queryset):
        return self._each(request, queryset, lambda provider: provider_drill_end(provider, request.user))

    def _each(self, request, queryset, change):
        for provider in queryset:
            try:
                change(provider)
            except ProviderChangeError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("%(provider)s: done.") % {"provider": provider.name}, messages.SUCCESS)

    def _with_reason(self, request, queryset, action, service, title):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for provider in queryset:
                try:
                    service(provider, request.user, form.cleaned_data["reason"])
                except ProviderChangeError as error:
                    self.message_user(request, str(error), messages.WARNING)
                else:
                    self.message_user(request, _("%(provider)s: done.") % {"provider": provider.name}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title, "form": form, "providers": queryset, "action": action, "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/providers/provider/reason.html", context)

    def get_urls(self):
        health = path("health/", self.admin_site.admin_view(self.health_view), name="providers_provider_health")
        return [health, *super().get_urls()]

    def health_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = [provider_health(p) for p in Provider.objects.order_by("kind", "priority", "name")]
        rows = [{**vars(row), "state_label": _state_label(row.state), "windows": (row.hour, row.day)} for row in rows]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Provider health"), "opts": self.model._meta, "rows": rows,
            "attempts": recent_attempts(limit=50), "events": recent_events(limit=20),
        }
        return TemplateResponse(request, "admin/providers/health.html", context)


@admin.register(ProviderHealth)
class ProviderHealthAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The admin index entry for the health page; it only redirects there."""

    def has_module_permission(self, request):
        return request.user.has_perm("providers.view_provider")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("providers.view_provider")

    def changelist_view(self, request, extra_context=None):
        return redirect(reverse("admin:providers_provider_health"))


@admin.register(Attempt)
class AttemptAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "provider", "operation", "outcome", "error_class", "latency_ms", "reference"]
    list_filter = ["outcome", "provider", "operation"]
    search_fields = ["reference", "message"]
    date_hierarchy = "created_at"
    list_select_related = ["provider"]


@admin.register(HealthEvent)
class HealthEventAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "provider", "from_state", "to_state", "reason"]
    list_filter = ["to_state", "provider"]
    list_select_related = ["provider"]


@admin.register(ProviderAudit)
class ProviderAuditAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "provider", "action", "actor", "reason"]
    list_filter = ["action", "provider"]
    search_fields = ["reason", "actor"]
    list_select_related = ["provider"]


@admin.register(AlertEpisode)
class AlertEpisodeAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Outages staff were alerted about: first failure, alerts sent, next reminder, end."""

    list_display = ["began_at", "provider", "kind", "alerts_sent", "next_reminder_at", "closed_at", "reason"]
    list_filter = ["kind", "provider"]
    list_select_related = ["provider"]


def _state_label(state):
    return HealthEvent.State(state).label
