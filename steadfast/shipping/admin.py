from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steadfast.checkout.countries import country_choices
from steadfast.orders.services import actor_for
from steadfast.shipping.admin_views import label_download, ship_by_hand
from steadfast.shipping.labels import LabelError, shipment_label_fetch
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.services import shipments_move, shipments_retry_now
from steadfast.storefront.templatetags.shop import money


class DeliveryMethodForm(forms.ModelForm):
    countries = forms.MultipleChoiceField(
        label=_("Delivers to"), required=False, widget=FilteredSelectMultiple(_("countries"), is_stacked=False),
        help_text=_("The countries this method delivers to; the address form offers only these. None chosen: the "
                    "shop's own country (SHOP_COUNTRY) only. Not used for pickup."),
    )

    class Meta:
        model = DeliveryMethod
        fields = ("name", "code", "kind", "description", "enabled", "position", "price", "free_over", "countries",
                  "pickup_address", "provider", "service", "estimate_when_out", "estimate_markup_percent")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = country_choices()

    def clean_countries(self):
        return sorted(self.cleaned_data["countries"])


@admin.register(DeliveryMethod)
class DeliveryMethodAdmin(admin.ModelAdmin):
    form = DeliveryMethodForm
    list_display = ("name", "code", "kind", "price_display", "countries_display", "free_over_display", "enabled",
                    "position")
    list_editable = ("enabled", "position")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "code")
    list_select_related = ("provider",)
    fieldsets = (
        (None, {"fields": ("name", "code", "kind", "description", "enabled", "position")}),
        (_("Price"), {"fields": ("price", "free_over")}),
        (_("Where it delivers"), {"fields": ("countries",)}),
        (_("Pickup"), {"fields": ("pickup_address",)}),
        (_("Carrier"), {"fields": ("provider", "service", ("estimate_when_out", "estimate_markup_percent"))}),
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

    @admin.display(description=_("delivers to"))
    def countries_display(self, method):
        return ", ".join(method.country_codes) if method.needs_address else "—"


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    """Staff see every shipment waiting for its carrier (and why) and can retry them at once."""

    list_display = ("order", "carrier", "state", "tracking_number", "carrier_status", "label_link", "attempts",
                    "last_error", "next_attempt_at", "created_at")
    list_filter = ("state", "provider")
    search_fields = ("order__number", "tracking_number", "reference")
    list_select_related = ("order", "provider")
    readonly_fields = ("order", "provider", "carrier_name", "service", "pickup_point", "weight_grams", "length_cm",
                       "width_cm", "height_cm", "state",
                       "reference", "tracking_number", "tracking_url", "label_link", "carrier_status", "attempts",
                       "sent", "last_error", "next_attempt_at", "lease_until", "created_at", "updated_at")
    actions = ["retry_now", "fetch_labels"]

    def get_urls(self):
        label = self.admin_site.admin_view(label_download)
        by_hand = self.admin_site.admin_view(lambda request, order_id: ship_by_hand(request, self.admin_site,
                                                                                    order_id))
        return [path("<int:shipment_id>/label/", label, name="shipping_shipment_label"),
                path("ship-by-hand/<int:order_id>/", by_hand, name="shipping_shipment_ship_by_hand"),
                *super().get_urls()]

    @admin.display(description=_("carrier"), ordering="provider__name")
    def carrier(self, shipment):
        return shipment.provider.name if shipment.provider_id else shipment.carrier_name

    @admin.display(description=_("label"))
    def label_link(self, shipment):
        if not shipment.label:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:shipping_shipment_label", args=[shipment.pk]),
                           _("Download label"))

    @admin.action(description=_("Fetch the carrier's label of the selected shipments"))
    def fetch_labels(self, request, queryset):
        fetched = 0
        for shipment in queryset.filter(provider__isnull=False).exclude(reference=""):
            try:
                shipment_label_fetch(shipment.pk)
                fetched += 1
            except LabelError as error:
                self.message_user(request, _("%(order)s: no label: %(error)s") % {
                    "order": shipment.order.number, "error": error}, level=messages.WARNING)
        self.message_user(request, _("%(count)d label(s) fetched.") % {"count": fetched})

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
