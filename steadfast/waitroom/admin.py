"""The waiting room in the admin: its state now, the staff switch (on / auto / off) and the switch's audit log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from steadfast.adminkit import ReadOnlyAdminMixin, ShopTimeAdminMixin
from steadfast.waitroom import room
from steadfast.waitroom.models import SwitchChange, SwitchState
from steadfast.waitroom.services import room_switch


class SwitchForm(forms.Form):
    state = forms.ChoiceField(choices=SwitchState.choices)
    reason = forms.CharField(label=_("Why"), max_length=500, required=False,
                             widget=forms.TextInput(attrs={"size": 60}))


@admin.register(SwitchChange)
class SwitchChangeAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "from_state", "to_state", "reason"]
    list_filter = ["to_state"]

    def get_urls(self):
        switch = path("switch/", self.admin_site.admin_view(require_POST(self.switch_view)),
                      name="waitroom_switchchange_switch")
        return [switch, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        state = room.snapshot()
        context = {
            "room": state, "room_mode_label": SwitchState(state["mode"]).label, "switch_states": SwitchState.choices,
            "can_switch": request.user.has_perm("waitroom.switch_waitroom"), "switch_form": SwitchForm(),
            "title": _("Waiting room"),
        }
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def switch_view(self, request):
        if not request.user.has_perm("waitroom.switch_waitroom"):
            raise PermissionDenied
        form = SwitchForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose on, automatic or off."))
        else:
            row = room_switch(form.cleaned_data["state"], request.user, form.cleaned_data["reason"])
            messages.success(request, _("Waiting room: %(state)s.") % {"state": row.get_to_state_display()})
        return redirect(reverse("admin:waitroom_switchchange_changelist"))
