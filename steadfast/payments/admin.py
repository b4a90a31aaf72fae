"""Payments are records of what a provider told us: staff read them, services write them."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steadfast.adminkit import ReadOnlyAdminMixin, ShopTimeAdminMixin
from steadfast.orders.admin_filters import SyntheticFilter
from steadfast.payments.models import Payment, WebhookEvent
from steadfast.storefront.templatetags.shop import money


class SyntheticPaymentFilter(SyntheticFilter):
    """Customers' payments by default: the synthetic checkout's test payments (paid and refunded in test mode, or
    sessions it opened and closed) only when asked for, except one whose money is still out (its refund failed,
    or a charge being confirmed), which stays in sight next to the customers' until it is back."""

    title = _("payments")

    def lookups(self, request, model_admin):
        return [("real", _("Customer payments (and test money still out)")), ("test", _("Synthetic test payments"))]

    def queryset(self, request, queryset):
        if self.value() == "test":
            return queryset.filter(order__synthetic=True)
        money_out = Q(state__in=(Payment.State.SUCCEEDED, Payment.State.UNKNOWN))
        return queryset.filter(Q(order__synthetic=False) | money_out)


@admin.register(Payment)
class PaymentAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "order_link", "provider", "state", "failure", "amount_display", "reference")
    list_filter = (SyntheticPaymentFilter, "state", "failure", "refund_due", "expire_due", "provider", "created_at")
    search_fields = ("order__number", "reference", "key", "order__email")
    list_select_related = ("order", "provider")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "key", "order_link", "provider", "state", "failure", "amount_display", "reference", "charge_reference",
        "refund_due", "expire_due", "checks", "redirect_url", "instructions", "error", "created_at", "updated_at",
    )

    @admin.display(description=_("order"), ordering="order__number")
    def order_link(self, payment):
        url = reverse("admin:orders_order_change", args=[payment.order_id])
        return format_html('<a href="{}">{}</a>', url, payment.order)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, payment):
        return money(payment.money)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ShopTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Accepted provider events: read-only evidence of what a provider told us and when."""

    list_display = ("received_at", "provider", "kind", "event_id", "payment")
    list_filter = ("provider", "kind")
    search_fields = ("event_id",)
    list_select_related = ("provider", "payment")
    readonly_fields = ("received_at", "provider", "kind", "event_id", "payment")
