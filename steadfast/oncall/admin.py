from datetime import timedelta

from django.contrib import admin
from django.utils import timezone

from steadfast.oncall.models import OnCallOverride, OnCallPerson, OnCallShift
from steadfast.oncall.rota import rota_document
from watch.rota import gaps, on_call  # standard library only: the watcher reads the rota with the same code


class ShiftInline(admin.TabularInline):
    model = OnCallShift
    extra = 1


class OverrideInline(admin.TabularInline):
    model = OnCallOverride
    extra = 0


@admin.register(OnCallPerson)
class OnCallPersonAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "phone", "telegram_chat_id", "email", "time_zone", "quiet_from",
                    "quiet_until", "is_active")
    list_editable = ("position",)
    inlines = (ShiftInline, OverrideInline)
    change_list_template = "admin/oncall/oncallperson/change_list.html"

    def changelist_view(self, request, extra_context=None):
        now = timezone.now()
        rota = rota_document(now)
        start = timezone.localtime(now).replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
        coverage = {
            "order": on_call(rota, now),
            "gaps": [(timezone.localtime(a), timezone.localtime(b)) for a, b in gaps(rota, start)],
            "until": timezone.localtime(start + timedelta(days=7)),
            "empty": not rota["people"],
        }
        return super().changelist_view(request, {**(extra_context or {}), "coverage": coverage})


from steadfast.oncall import admin_pages  # noqa: E402,F401  the alert pages' admin registers itself
