"""The order list's filters in the admin: what needs action, the probe's orders, payment and delivery methods."""


from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from steadfast.orders.dashboard import to_ship_q, unpaid_q
from steadfast.orders.models import Order
from steadfast.orders.outage import payments_confirming


class NeedsActionFilter(admin.SimpleListFilter):
    title = _("needs action")
    parameter_name = "todo"

    def lookups(self, request, model_admin):
        return [("ship", _("To ship")), ("unpaid", _("Awaiting payment")), ("confirming", _("Confirming payment"))]

    def queryset(self, request, queryset):
        if self.value() == "ship":
            return queryset.filter(to_ship_q())
        if self.value() == "unpaid":
            return queryset.filter(unpaid_q())
        if self.value() == "confirming":
            return queryset.filter(pk__in=payments_confirming().values("order_id"))
        return queryset


class SyntheticFilter(admin.SimpleListFilter):
    """Real orders by default: the synthetic checkout probe's cancelled test orders only when asked for."""

    title = _("orders")
    parameter_name = "synthetic"

    def lookups(self, request, model_admin):
        return [("real", _("Customer orders")), ("test", _("Synthetic test orders"))]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {"selected": (self.value() or "real") == lookup, "display": title,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup})}

    def queryset(self, request, queryset):
        return queryset.filter(synthetic=self.value() == "test")


class MethodFilter(admin.SimpleListFilter):
    """Filter on a method code, showing the names the orders were placed with (one small query)."""

    code_field = name_field = ""

    def lookups(self, request, model_admin):
        pairs = Order.objects.order_by().values_list(self.code_field, self.name_field).distinct()
        return sorted(dict(pairs).items(), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(**{self.code_field: self.value()}) if self.value() else queryset


class PaymentMethodFilter(MethodFilter):
    title = _("payment method")
    parameter_name = code_field = "payment_method"
    name_field = "payment_name"


class DeliveryMethodFilter(MethodFilter):
    title = _("delivery method")
    parameter_name = code_field = "delivery_method"
    name_field = "delivery_name"


# The full app list in a sidebar squeezes the order list; the dashboard and breadcrumbs lead everywhere instead.
admin.site.enable_nav_sidebar = False
