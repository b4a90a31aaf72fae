from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from steadfast.orders.services import actor_for
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.services import shipments_move, shipments_retry_now
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
        (_("Carrier"), {"fields": ("provider", "service")}),
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


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    """Staff see every shipment waiting for its carrier (and why) and can retry them at once."""

    list_display = ("order", "provider", "state", "tracking_number", "carrier_status", "attempts", "last_error",
                    "next_attempt_at", "created_at")
    list_filter = ("state", "provider")
    search_fields = ("order__number", "tracking_number", "reference")
    list_select_related = ("order", "provider")
    readonly_fields = ("order", "provider", "service", "pickup_point", "state", "reference", "tracking_number",
                       "carrier_status", "attempts", "sent", "last_error", "next_attempt_at", "lease_until",
                       "created_at", "updated_at")
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False  # written with the payment, never by hand

    def get_actions(self, request):
        """One "move to <carrier method>" action per enabled carrier method: reroute waiting shipments at once."""
        actions = super().get_actions(request)
        carriers = DeliveryMethod.objects.filter(enabled=True, kind=DeliveryMethod.Kind.CARRIER, provider__isnull=False)
        for method in carriers.exclude(service=""):
            name = f"move_to_{method.code}"
            description = _("Move the selected waiting shipments to %(method)s") % {"method": method.name}
            actions[name] = (self._mover(method), name, description)
        return actions

    def _mover(self, method):
        def move(modeladmin, request, queryset):
            moved, kept = shipments_move(queryset, method, actor_for(request.user))
            self.message_user(request, _("%(count)d shipment(s) moved to %(method)s.") % {
                "count": moved, "method": method.name})
            if kept:
                self.message_user(request, _(
                    "Left alone (already sent to their carrier, may exist there: cancel them there first): "
                    "%(orders)s") % {"orders": ", ".join(kept)}, level=messages.WARNING)
        return move

    @admin.action(description=_("Try the selected waiting shipments again now"))
    def retry_now(self, request, queryset):
        count = shipments_retry_now(queryset)
        self.message_user(request, _("%(count)d shipment(s) queued again.") % {"count": count})
