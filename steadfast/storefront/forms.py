from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from steadfast.catalog.selectors import DEFAULT_SORT

SORT_CHOICES = [
    ("name", _("Name")),
    ("price_asc", _("Price: low to high")),
    ("price_desc", _("Price: high to low")),
    ("newest", _("Newest")),
]


class ProductFilterForm(forms.Form):
    """The filter and sort form of a category page (GET). A bad value is reported and that filter ignored."""

    min_price = forms.DecimalField(
        label=_("Min price"), required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    max_price = forms.DecimalField(
        label=_("Max price"), required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for name in ("min_price", "max_price"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "placeholder": "0"})
        # The sort select sits in the results toolbar, outside the <form id="filters"> element it belongs to.
        self.fields["sort"].widget.attrs.update({"form": "filters", "data-autosubmit": ""})

    def clean(self):
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", _("The maximum price must not be lower than the minimum price."))
        return data

    def filters(self) -> dict:
        """Keyword arguments for products_list; a field that failed validation is left out of cleaned_data."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "min_price": data.get("min_price"),
            "max_price": data.get("max_price"),
            "in_stock": bool(data.get("in_stock")),
            "sort": data.get("sort") or DEFAULT_SORT,
        }
