"""One form per checkout step. Choices come from the database at request time, never from the browser."""

from django import forms
from django.utils.translation import gettext_lazy as _

from steadfast.checkout.countries import DEFAULT_COUNTRY, country_choices
from steadfast.checkout.validators import clean_phone, clean_text
from steadfast.shipping.postcodes import postcode_normalise, postcode_problem


class ContactForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             help_text=_("We send the order confirmation and updates here."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Phone"), max_length=32,
                            help_text=_("For the courier or if we need to reach you about the order."),
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))

    def clean_full_name(self):
        return clean_text(self.cleaned_data["full_name"])

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label=_("Delivery method"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note for the shop"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, quotes, **kwargs):
        super().__init__(*args, **kwargs)
        self.quotes = quotes
        self.fields["method"].choices = [(q.method_code, q.name) for q in quotes if q.available]
        self.fields["method"].error_messages["invalid_choice"] = _("Please choose one of the delivery methods shown.")

    def clean_note(self):
        return clean_text(self.cleaned_data["note"], multiline=True)


class AddressForm(forms.Form):
    address_line1 = forms.CharField(label=_("Street and number"), max_length=200,
                                    widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    address_line2 = forms.CharField(label=_("Apartment, floor, company"), max_length=200, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))
    postcode = forms.CharField(label=_("Postcode"), max_length=20,
                               widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    city = forms.CharField(label=_("City"), max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    country = forms.ChoiceField(label=_("Country"), initial=DEFAULT_COUNTRY,
                                widget=forms.Select(attrs={"autocomplete": "country"}))

    def __init__(self, *args, countries=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the countries the chosen delivery method delivers to (staff choose them per method).
        choices = country_choices()
        if countries:
            choices = [(code, name) for code, name in choices if code in countries]
            if len(choices) == 1:
                self.fields["country"].initial = choices[0][0]
        self.fields["country"].choices = choices
        self.fields["country"].error_messages["invalid_choice"] = _(
            "We do not deliver to that country with this delivery method.")

    def clean(self):
        data = super().clean()
        for name in ("address_line1", "address_line2", "postcode", "city"):
            if name in data:
                try:
                    data[name] = clean_text(data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        street, city = data.get("address_line1", ""), data.get("city", "")
        if street and (len(street) < 3 or not any(ch.isalpha() for ch in street)):
            self.add_error("address_line1", _("Please enter the street and house number, e.g. ul. Długa 5."))
        if city and not any(ch.isalpha() for ch in city):
            self.add_error("city", _("Please enter the name of the town or city."))
        return postcode_clean(self, data)


def postcode_clean(form, data):
    """The postcode checked against the country's format and written the country's way (both address forms)."""
    if data.get("postcode") and data.get("country"):
        problem = postcode_problem(data["country"], data["postcode"])
        if problem:
            form.add_error("postcode", problem)
        else:
            data["postcode"] = postcode_normalise(data["country"], data["postcode"])
    return data


class DestinationForm(forms.Form):
    """Where to: carriers price the delivery to this postcode and city (the full address comes later)."""

    country = forms.ChoiceField(label=_("Country"), initial=DEFAULT_COUNTRY,
                                widget=forms.Select(attrs={"autocomplete": "country"}))
    postcode = forms.CharField(label=_("Postcode"), max_length=20,
                               widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    city = forms.CharField(label=_("City"), max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, prefix="to", **kwargs)
        self.fields["country"].choices = [(c, n) for c, n in country_choices() if not countries or c in countries]
        self.fields["country"].error_messages["invalid_choice"] = _("We do not deliver to that country.")

    def clean(self):
        data = super().clean()
        for name in ("postcode", "city"):
            if name in data:
                try:
                    data[name] = clean_text(data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        if data.get("city") and not any(ch.isalpha() for ch in data["city"]):
            self.add_error("city", _("Please enter the name of the town or city."))
        return postcode_clean(self, data)


class PointForm(forms.Form):
    point = forms.ChoiceField(label=_("Pickup point"), widget=forms.RadioSelect)

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [(p.code, p.name) for p in points]
        self.fields["point"].error_messages["invalid_choice"] = _("Please choose one of the pickup points listed.")
        self.fields["point"].error_messages["required"] = _("Please choose a pickup point.")


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = providers
        self.fields["method"].choices = [(p.code, p.name) for p in providers]
        self.fields["method"].error_messages["invalid_choice"] = _("Please choose one of the payment methods shown.")
