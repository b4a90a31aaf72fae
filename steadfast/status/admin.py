from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ReadOnlyAdminMixin
from steadfast.status.incidents import incident_apply_status
from steadfast.status.models import (
    Banner,
    Incident,
    IncidentUpdate,
    ModeChange,
    PartnerShop,
    ShopMode,
    Subscriber,
)
from steadfast.status.services import shop_mode_schedule, shop_mode_set
from steadfast.status.snapshot import snapshot_clear
from steadfast.status.subscribers import subscribers_notify


class ShopModeForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Kept in the audit log with your name.")
    )

    class Meta:
        model = ShopMode
        fields = ["mode", "message", "eta", "until", "scheduled_mode", "scheduled_start", "scheduled_end"]

    def clean(self):
        # Checked here so a bad value is a form error and nothing changes (not a half-applied save).
        data = super().clean()
        now = timezone.now()
        for name in ("eta", "until"):
            if name in self.changed_data and data.get(name) and data[name] <= now:
                self.add_error(name, _("Must be in the future."))
        start, end = data.get("scheduled_start"), data.get("scheduled_end")
        if start and end and end <= start:
            self.add_error("scheduled_end", _("The scheduled end must be after the start."))
        if (start or end) and not data.get("scheduled_mode"):
            self.add_error("scheduled_mode", _("Choose the mode for the scheduled window."))
        return data


@admin.register(ShopMode)
class ShopModeAdmin(admin.ModelAdmin):
    """Saving goes through shop_mode_set so every change from the admin is an audit row with the staff user."""

    list_display = [
        "mode",
        "message",
        "eta",
        "until",
        "scheduled_mode",
        "scheduled_start",
        "scheduled_end",
        "updated_at",
    ]
    fields = ["mode", "message", "eta", "until", "scheduled_mode", "scheduled_start", "scheduled_end", "reason"]

    form = ShopModeForm

    def has_add_permission(self, request):
        return not ShopMode.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data, reason = form.cleaned_data, form.cleaned_data["reason"]
        try:
            if {"mode", "message", "eta", "until"} & set(form.changed_data) or not change:
                shop_mode_set(
                    data["mode"], request.user, reason, data["until"], eta=data["eta"], message=data["message"]
                )
            if {"scheduled_mode", "scheduled_start", "scheduled_end"} & set(form.changed_data):
                shop_mode_schedule(
                    data["scheduled_mode"] or data["mode"],
                    data["scheduled_start"],
                    data["scheduled_end"],
                    request.user,
                    reason,
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


@admin.register(ModeChange)
class ModeChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "from_mode", "to_mode", "reason"]
    list_filter = ["to_mode"]
    readonly_fields = ["created_at", "user", "actor", "from_mode", "to_mode", "reason"]

@admin.register(PartnerShop)
class PartnerShopAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "active", "position"]
    list_editable = ["active", "position"]


@admin.register(Banner)
class BannerAdmin(admin.ModelAdmin):
    list_display = ["message", "severity", "active", "updated_at"]
    list_filter = ["severity", "active"]


class IncidentUpdateInline(admin.StackedInline):
    model = IncidentUpdate
    extra = 1
    fields = ["status", "message", "eta", "author", "created_at"]
    readonly_fields = ["author", "created_at"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "impact", "automatic", "created_at", "resolved_at"]
    list_filter = ["status", "impact", "automatic"]
    readonly_fields = ["status", "provider", "automatic", "created_at", "updated_at", "resolved_at"]
    fields = [
        "title",
        "impact",
        "components",
        "eta",
        "postmortem",
        "status",
        "provider",
        "automatic",
        "created_at",
        "updated_at",
        "resolved_at",
    ]
    inlines = [IncidentUpdateInline]

    def save_formset(self, request, form, formset, change):
        updates = formset.save(commit=False)
        for update in updates:
            new = update.pk is None
            update.author = update.author or request.user.get_username()
            update.save()
            if new:
                subscribers_notify(form.instance, update)
        formset.save_m2m()
        incident = form.instance
        latest = incident.updates.order_by("-created_at", "-id").first()
        if latest is not None:
            # The incident's status is always its newest public update's status.
            incident_apply_status(incident, latest.status, latest.eta)
        snapshot_clear()


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "language", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["language"]
    search_fields = ["email"]
    exclude = ["token"]
    readonly_fields = ["email", "language", "created_at", "confirmed_at", "unsubscribed_at"]

    def has_add_permission(self, request):
        return False  # only the double opt-in adds subscribers
from steadfast.status import admin_policies  # noqa: E402,F401  (registers Policy; kept apart for size)
