"""The customer's order page. The unguessable token is the key: it works for guests and logged-in customers alike."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from steadfast.checkout.countries import country_name
from steadfast.checkout.limits import confirmation_matches
from steadfast.orders.models import Order
from steadfast.orders.services import CUSTOMER, order_confirm
from steadfast.orders.states import TransitionNotAllowed
from steadfast.payments.views import order_payment_context, payment_return
from steadfast.shipping.models import DeliveryMethod


def detail(request, token):
    order = Order.objects.filter(token=token).prefetch_related("lines", "events").first()
    if order is None:
        return render(request, "orders/not_found.html", status=404)
    if "payment" in request.GET and payment_return(request, order):
        return redirect(order)  # the return moved the payment on; the plain page only reads (and may refresh)
    paying = order_payment_context(order)
    payment = order.payments.select_related("provider").order_by("-created_at", "-pk").first()
    method = DeliveryMethod.objects.filter(code=order.delivery_method).first()
    context = {
        "order": order,
        "payment": payment,
        "bank_account": _bank_account(payment),
        "pickup_address": method.pickup_address if method and not method.needs_address else "",
        "country": country_name(order.country) if order.country else "",
        "events": order.events.all(),
        **paying,
    }
    return render(request, "orders/detail.html", context)


def confirm(request, token, signature):
    """The link in the "please confirm" e-mail: GET shows a button (mail scanners follow links), POST confirms."""
    order = Order.objects.filter(token=token).first()
    if order is None or not confirmation_matches(order, signature):
        return render(request, "orders/not_found.html", status=404)
    if request.method == "POST" and order.confirmed_at is None:
        try:
            order_confirm(order, CUSTOMER, _("Confirmed by the customer from the e-mail link."))
        except TransitionNotAllowed:
            pass  # cancelled (reservation expired) or paid meanwhile: the order page says which
        else:
            messages.success(request, _("Thank you, your order is confirmed."))
        return redirect(order.get_absolute_url())
    return render(request, "orders/confirm.html", {"order": order})


def _bank_account(payment) -> str:
    """Account to show prominently for a pending bank transfer (the same one the instructions name)."""
    if payment is None or payment.provider.adapter != "bank_transfer" or payment.state != payment.State.PENDING:
        return ""
    return payment.provider.config.get("account") or settings.SHOP_BANK_ACCOUNT
