"""The order desk's phone order: staff type what the caller wants and the order is placed through the same
order-first checkout service (stock reserved, confirmation e-mail in the outbox). Then either a payment link the
customer pays online with on their own device (staff never take card numbers), or an offline method.

Works in every shop mode: in `phone_orders` mode this is how the shop keeps selling.
"""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from steadfast.catalog.models import Variant
from steadfast.checkout.countries import DEFAULT_COUNTRY, country_choices
from steadfast.checkout.forms import ContactForm
from steadfast.checkout.services import CheckoutDetails, CheckoutError, order_place
from steadfast.orders.services import actor_for, order_event_add
from steadfast.payments.links import PaymentLinkRefused, payment_link_create, payment_link_url
from steadfast.payments.routing import is_offline
from steadfast.providers.models import Provider
from steadfast.providers.selectors import providers_available
from steadfast.shipping.models import DeliveryMethod
from steadfast.storefront.templatetags.shop import money

LINK = "link"  # the payment choice "send a payment link"
LINES = 6  # rows on the form; the caller rarely wants more, and a second order is quick


class VariantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, variant):
        return f"{variant} · {variant.sku} · {money(variant.price)} · " + gettext("%(n)s in stock") % {
            "n": variant.stock}


class LineForm(forms.Form):
    variant = VariantChoiceField(
        label=_("Product"), required=False, empty_label="—",
        queryset=Variant.objects.filter(is_active=True, product__is_active=True, stock__gt=0)
        .select_related("product").order_by("product__name", "position", "pk"),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999, initial=1, required=False)


LineFormSet = forms.formset_factory(LineForm, extra=LINES, max_num=LINES, absolute_max=LINES)


def online_provider_for_link() -> Provider | None:
    """The gateway an order paid by link is placed with: one that works now, else the first enabled one (the
    customer picks any working online method on the link page anyway)."""
    online = [p for p in Provider.objects.filter(kind=Provider.Kind.PAYMENT, enabled=True).order_by("priority", "name")
              if not is_offline(p)]
    working = {p.pk for p in providers_available(Provider.Kind.PAYMENT)}
    return next((p for p in online if p.pk in working), online[0] if online else None)


class PhoneOrderForm(ContactForm):
    required_css_class = "required"  # the admin's bold labels
    language = forms.ChoiceField(label=_("Customer's language"), choices=settings.LANGUAGES,
                                 help_text=_("For the confirmation e-mail and the payment page."))
    delivery_method = forms.ChoiceField(label=_("Delivery"), widget=forms.RadioSelect)
    address_line1 = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    address_line2 = forms.CharField(label=_("Apartment, floor, company"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.ChoiceField(label=_("Country"), initial=DEFAULT_COUNTRY)
    payment = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = {m.code: m for m in DeliveryMethod.objects.filter(enabled=True)}
        self.fields["delivery_method"].choices = [(code, _(m.name)) for code, m in self.methods.items()]
        self.fields["country"].choices = country_choices()
        self.link_provider = online_provider_for_link()
        choices = []
        if self.link_provider is not None:
            choices.append((LINK, _("Payment link: the customer pays online (card, PayPal…) on their own device")))
        offline = Provider.objects.filter(kind=Provider.Kind.PAYMENT, enabled=True).order_by("priority", "name")
        choices += [(p.code, _(p.name)) for p in offline if is_offline(p)]
        self.fields["payment"].choices = choices

    def clean(self):
        data = super().clean()
        method = self.methods.get(data.get("delivery_method"))
        if method is not None and method.needs_address:
            for name in ("address_line1", "postcode", "city"):
                if not data.get(name):
                    self.add_error(name, _("Needed for %(method)s.") % {"method": _(method.name)})
        return data

    def details(self) -> CheckoutDetails:
        data = self.cleaned_data
        method = self.methods[data["delivery_method"]]
        address = {name: data[name] for name in ("address_line1", "address_line2", "postcode", "city", "country")}
        if not method.needs_address:
            address = {}  # a pickup keeps no address, as in checkout
        payment = self.link_provider.code if data["payment"] == LINK else data["payment"]
        return CheckoutDetails(email=data["email"], phone=data["phone"], full_name=data["full_name"],
                               delivery_method=method.code, payment_method=payment, note=data["note"], **address)


def phone_order_view(model_admin, request):
    if not request.user.has_perm("orders.change_order"):
        raise PermissionDenied
    if request.method == "POST":
        form, lines = PhoneOrderForm(request.POST), LineFormSet(request.POST, prefix="lines")
        wanted = []
        if lines.is_valid():
            wanted = [(row["variant"].pk, row["quantity"] or 1) for row in lines.cleaned_data if row.get("variant")]
        lines_error = "" if wanted or not lines.is_valid() else gettext("Choose at least one product.")
        if form.is_valid() and wanted:
            placed = _place(model_admin, request, form, wanted)
            if placed is not None:
                return placed
    else:
        form = PhoneOrderForm(initial={"idempotency_key": uuid.uuid4(), "language": request.LANGUAGE_CODE,
                                       "payment": LINK})
        lines, lines_error = LineFormSet(prefix="lines"), ""
    context = {
        **model_admin.admin_site.each_context(request), "opts": model_admin.opts, "title": gettext("Phone order"),
        "form": form, "lines": lines, "lines_error": lines_error,
        "needs_address": [code for code, m in form.methods.items() if m.needs_address],
    }
    return TemplateResponse(request, "admin/orders/order/phone_order.html", context)


def _place(model_admin, request, form, wanted):
    """Place the order; on success redirect to it (with the payment link made), else None and a form error."""
    actor = actor_for(request.user)
    key = f"phone:{form.cleaned_data['idempotency_key']}"
    try:
        order, created = order_place(lines=wanted, details=form.details(), idempotency_key=key,
                                     language=form.cleaned_data["language"])
    except CheckoutError as error:
        form.add_error(None, str(error))
        return None
    if created:
        order_event_add(order, "phone_order", actor, gettext("Order taken by phone."))
        model_admin.log_addition(request, order, gettext("Phone order."))
        if form.cleaned_data["payment"] == LINK:
            try:
                link = payment_link_create(order, actor)
            except PaymentLinkRefused as error:
                messages.error(request, gettext("No payment link: %(reason)s") % {"reason": error})
            else:
                messages.success(request, gettext(
                    "Order %(order)s placed. Payment link: %(url)s — send it to the customer; it is not sent "
                    "automatically.") % {"order": order, "url": payment_link_url(link)})
        else:
            messages.success(request, gettext("Order %(order)s placed: %(method)s.") % {
                "order": order, "method": gettext(order.payment_name)})
    return redirect(reverse("admin:orders_order_change", args=[order.pk]))

