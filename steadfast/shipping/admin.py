from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from steadfast.shipping.models import DeliveryMethod
from steadfast.storefront.templatetags.shop import money


@admin.register(DeliveryMethod)
class DeliveryMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "price_display", "free_over_display", "enabled", "position")
    list_editable = ("enabled", "position")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "code")
    list_select_related = ("provider",)
    fieldsets = (
        (None, {"fields": ("name", "code", "kind", "description", "enabled", "position")}),
        (_("Price"), {"fields": ("price", "free_over")}),
        (_("Pickup"), {"fields": ("pickup_address",)}),
        (_("Carrier"), {"fields": ("provider",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        # Orders store the method code; renaming it would break the order filters and quotes.
        return ("code",) if obj else ()

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, method):
        return money(method.price)

    @admin.display(description=_("free over"), ordering="free_over")
    def free_over_display(self, method):
        return money(method.free_over) if method.free_over is not None else "—"
