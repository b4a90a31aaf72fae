from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ShopTimeAdminMixin
from steadfast.synthetic.models import SyntheticRun


@admin.register(SyntheticRun)
class SyntheticRunAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    list_display = ("started_at", "payment_method", "delivery_method", "passed", "failed_step", "detail",
                    "order_number", "duration_ms")
    list_filter = ("ok", "payment_method", "delivery_method")
    readonly_fields = [f.name for f in SyntheticRun._meta.fields]

    @admin.display(boolean=True, description=_("passed"))
    def passed(self, run):
        return run.ok

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
