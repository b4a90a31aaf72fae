from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ReadOnlyAdminMixin, ShopTimeAdminMixin
from steadfast.status.models import (
    Banner,
    ModeChange,
    PartnerShop,
    ShopMode,
    Subscriber,
)
from steadfast.status.services import shop_mode_schedule, shop_mode_set


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
class ModeChangeAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "from_mode", "to_mode", "reason"]
    list_filter = ["to_mode"]
    readonly_fields = ["created_at", "user", "actor", "from_mode", "to_mode", "reason"]

@admin.register(PartnerShop)
class PartnerShopAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "active", "position"]
    list_editable = ["active", "position"]


def translation_languages():
    """The shop's languages other than the main one, which the message itself is written in."""
    return [(code, str(name)) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE.split("-")[0]]


def _translation_field(name):
    return forms.CharField(
        label=format_lazy(_("Message in {language}"), language=name), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        help_text=_("Shown to shoppers who read the shop in this language; empty: the main message."),
    )


class BannerFormBase(forms.ModelForm):
    """One text box per shop language instead of a JSON field; an empty box falls back to the main message."""

    class Meta:
        model = Banner
        fields = ["message", "severity", "active", "phone", "email", "telegram", "whatsapp", "vk"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, _name in translation_languages():
            self.initial.setdefault(f"message_{code}", (self.instance.translations or {}).get(code, ""))

    def save(self, commit=True):
        self.instance.translations = {
            code: self.cleaned_data[f"message_{code}"].strip()
            for code, _name in translation_languages() if self.cleaned_data.get(f"message_{code}", "").strip()
        }
        return super().save(commit)


# Declared on the class (the admin builds its form from declared fields): one per language in settings.
BannerForm = type(BannerFormBase)("BannerForm", (BannerFormBase,), {
    "__module__": __name__, **{f"message_{code}": _translation_field(name) for code, name in translation_languages()},
})


@admin.register(Banner)
class BannerAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    form = BannerForm
    list_display = ["message", "severity", "active", "updated_at"]
    list_filter = ["severity", "active"]

    def get_fields(self, request, obj=None):
        fields = ["message", *(f"message_{code}" for code, _name in translation_languages())]
        return [*fields, "severity", "active", "phone", "email", "telegram", "whatsapp", "vk"]


@admin.register(Subscriber)
class SubscriberAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    list_display = ["email", "language", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["language"]
    search_fields = ["email"]
    exclude = ["token"]
    readonly_fields = ["email", "language", "created_at", "confirmed_at", "unsubscribed_at"]

    def has_add_permission(self, request):
        return False  # only the double opt-in adds subscribers
from steadfast.status import admin_incidents, admin_policies  # noqa: E402,F401  (register Incident, Policy)
