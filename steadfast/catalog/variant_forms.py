"""Variant options as form fields: one text box per option the product uses ("Colour", "Size"), and one pair to add
another option, instead of a JSON box. Stored unchanged as Variant.options ({"colour": "Navy", "size": "M"})."""

from django import forms
from django.utils.translation import gettext_lazy as _

from steadfast.catalog.models import SIDES, Variant

DEFAULT_OPTION_NAMES = ("colour", "size")  # what a new product is offered; the demo catalog uses these
VARIANT_FIELDS = ("sku", "price", "stock", "weight_grams", *SIDES, "is_active", "position")


def option_names(product) -> list[str]:
    """The option names this product's variants use: colour and size first, then the others alphabetically (a
    fixed order, since PostgreSQL's jsonb does not keep the order keys were written in)."""
    names = set()
    if product is not None and product.pk:
        for options in Variant.objects.filter(product=product).values_list("options", flat=True):
            names.update(options or {})
    if not names:
        return list(DEFAULT_OPTION_NAMES)
    first = [name for name in DEFAULT_OPTION_NAMES if name in names]
    return first + sorted(names - set(first))


class VariantOptionsFormBase(forms.ModelForm):
    names: tuple = ()

    new_option_name = forms.CharField(label=_("Another option"), max_length=40, required=False,
                                      widget=forms.TextInput(attrs={"placeholder": _("e.g. material"), "size": 10}))
    new_option_value = forms.CharField(label=_("Its value"), max_length=80, required=False,
                                       widget=forms.TextInput(attrs={"size": 10}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.options or {}
        for index, name in enumerate(self.names):
            self.initial.setdefault(f"option_{index}", stored.get(name, ""))

    def clean(self):
        data = super().clean()
        name = " ".join((data.get("new_option_name") or "").split()).lower()
        value = (data.get("new_option_value") or "").strip()
        if bool(name) != bool(value):
            self.add_error("new_option_value" if name else "new_option_name", _("Give both the option and its value."))
        elif name in self.names:
            self.add_error("new_option_name", _("%(name)s already has a column: fill that in.") % {"name": name})
        data["new_option_name"], data["new_option_value"] = name, value
        return data

    def save(self, commit=True):
        options = {}
        for index, name in enumerate(self.names):
            value = (self.cleaned_data.get(f"option_{index}") or "").strip()
            if value:
                options[name] = value
        if self.cleaned_data.get("new_option_name"):
            options[self.cleaned_data["new_option_name"]] = self.cleaned_data["new_option_value"]
        self.instance.options = options
        return super().save(commit)


def variant_options_form(names) -> type[forms.ModelForm]:
    """A form class with one declared field per option name (the admin builds its forms from declared fields)."""
    fields = {
        f"option_{index}": forms.CharField(label=name.capitalize(), max_length=80, required=False,
                                           widget=forms.TextInput(attrs={"size": 10}))
        for index, name in enumerate(names)
    }
    meta = type("Meta", (), {"model": Variant, "fields": VARIANT_FIELDS})
    return type(VariantOptionsFormBase)("VariantOptionsForm", (VariantOptionsFormBase,), {
        "__module__": __name__, "Meta": meta, "names": tuple(names), **fields,
    })


def variant_form_fields(names, extra=()) -> list[str]:
    """Field order for the admin: SKU, one box per option, the new-option pair, then price and stock."""
    return ["sku", *(f"option_{i}" for i in range(len(names))), "new_option_name", "new_option_value",
            "price", "stock", "weight_grams", *SIDES, "is_active", "position", *extra]
