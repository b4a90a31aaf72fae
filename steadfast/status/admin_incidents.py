"""Incident admin: components picked from the status page's own list, public updates append-only (a correction is
a new update, never an edit of what subscribers were already sent), and a Resolve button."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ShopTimeAdminMixin, object_for_button
from steadfast.status.incidents import incident_apply_status, incident_staff_alert, incident_update
from steadfast.status.models import Incident, IncidentStatus, IncidentUpdate
from steadfast.status.selectors import current_mode
from steadfast.status.snapshot import components_build, snapshot_clear
from steadfast.status.subscribers import subscribers_notify

RESOLVED_MESSAGE = _("This incident has been resolved. Everything works normally again.")


def component_choices(keep=()) -> list[tuple[str, str]]:
    """The components the public status page shows now, plus any the incident already names (kept, not lost)."""
    rows = [(row.id, str(row.name)) for row in components_build(current_mode(), timezone.now())]
    known = {cid for cid, _name in rows}
    return rows + [(cid, cid) for cid in keep if cid not in known]


class IncidentForm(forms.ModelForm):
    components = forms.MultipleChoiceField(
        label=_("Affected components"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("As listed on the public status page."),
    )

    class Meta:
        model = Incident
        fields = ["title", "impact", "components", "eta", "postmortem"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.components or []) if self.instance.pk else []
        self.fields["components"].choices = component_choices(current)


class IncidentUpdateInline(ShopTimeAdminMixin, admin.StackedInline):
    """Earlier updates are shown as sent; only a new one can be written."""

    model = IncidentUpdate
    extra = 1
    fields = ["status", "message", "eta", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    verbose_name = _("public update")
    verbose_name_plural = _("public updates (a correction is a new update)")

    def get_extra(self, request, obj=None, **kwargs):
        return 1

    def get_min_num(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0  # a new incident says something in public at once

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ResolveForm(forms.Form):
    message = forms.CharField(label=_("Public message"), widget=forms.Textarea(attrs={"rows": 2}),
                              initial=RESOLVED_MESSAGE, max_length=2000)


@admin.register(Incident)
class IncidentAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    form = IncidentForm
    change_form_template = "admin/status/incident/change_form.html"
    list_display = ["title", "status", "impact", "automatic", "created_at", "resolved_at"]
    list_filter = ["status", "impact", "automatic"]
    readonly_fields = ["status", "provider", "automatic", "created_at", "updated_at", "resolved_at"]
    fields = ["title", "impact", "components", "eta", "postmortem", "status", "provider", "automatic",
              "created_at", "updated_at", "resolved_at"]
    inlines = [IncidentUpdateInline]

    def get_urls(self):
        resolve = self.admin_site.admin_view(self.resolve_view)
        return [path("<path:object_id>/resolve/", resolve, name="status_incident_resolve"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        incident = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), "resolve_form": ResolveForm(),
                         "can_resolve": incident is not None and incident.is_open
                         and self.has_change_permission(request, incident)}
        return super().change_view(request, object_id, form_url, extra_context)

    def resolve_view(self, request, object_id):
        incident, refusal = object_for_button(self, request, object_id)
        if refusal is not None:
            return refusal
        form = ResolveForm(request.POST)
        if not incident.is_open:
            self.message_user(request, gettext("This incident is already resolved."), messages.WARNING)
        elif not form.is_valid():
            self.message_user(request, gettext("Not resolved: the public message is missing."), messages.ERROR)
        else:
            try:
                incident_update(incident, IncidentStatus.RESOLVED, form.cleaned_data["message"],
                                author=request.user.get_username())
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.log_change(request, incident, gettext("Resolved."))
                self.message_user(request, gettext("Incident resolved; subscribers are told."), messages.SUCCESS)
        return redirect(reverse("admin:status_incident_change", args=[incident.pk]))

    def save_formset(self, request, form, formset, change):
        updates = formset.save(commit=False)
        for update in updates:
            if update.pk is not None:
                continue  # append-only: the inline offers no edits, and none are saved
            update.author = request.user.get_username()
            update.save()
            subscribers_notify(form.instance, update)
            if not change:  # just opened: in the admin's transaction (changeform_view), as the alert requires
                incident_staff_alert(form.instance, update)
        incident = form.instance
        latest = incident.updates.order_by("-created_at", "-id").first()
        if latest is not None:
            # The incident's status is always its newest public update's status.
            incident_apply_status(incident, latest.status, latest.eta)
        snapshot_clear()
