from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils.translation import gettext_lazy as _

from steadfast.checkout.countries import country_choices
from steadfast.shipping.models import DeliveryMethod
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
                  "pickup_address", "provider")

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

    @admin.display(description=_("delivers to"))
    def countries_display(self, method):
        return ", ".join(method.country_codes) if method.needs_address else "—"
