from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ShopTimeAdminMixin
from steadfast.synthetic.models import SyntheticRun


def money_leg(run) -> str:
    """What happened to the money of an online run: paid and refunded, where it stopped, or "" (offline)."""
    names = {step["step"]: step for step in run.steps}
    pay = names.get("pay")
    if pay is None:
        return ""
    if pay.get("skipped"):
        return pay.get("detail", "")
    if names.get("refund", {}).get("ok"):
        return _("paid and refunded")
    return _("paid, not refunded") if names.get("captured", {}).get("ok") else _("payment not completed")


@admin.register(SyntheticRun)
class SyntheticRunAdmin(ShopTimeAdminMixin, admin.ModelAdmin):
    list_display = ("started_at", "payment_method", "delivery_method", "passed", "failed_step", "detail",
                    "money", "order_number", "duration_ms")
    list_filter = ("ok", "payment_method", "delivery_method")
    fields = readonly_fields = ("started_at", "finished_at", "passed", "payment_method", "delivery_method",
                                "failed_step", "detail", "money", "order_number", "duration_ms", "steps_list")

    @admin.display(boolean=True, description=_("passed"))
    def passed(self, run):
        return run.ok

    @admin.display(description=_("money"))
    def money(self, run):
        return money_leg(run)

    @admin.display(description=_("steps"))
    def steps_list(self, run):
        rows = ((("✗" if not step.get("ok") else "–" if step.get("skipped") else "✓"), step.get("step", ""),
                 step.get("detail", ""), f"{step['ms']} ms" if "ms" in step else "") for step in run.steps)
        return format_html("<ol class='sf-steps'>{}</ol>", format_html_join(
            "", "<li>{} <strong>{}</strong> {} <span class='quiet'>{}</span></li>", rows))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
