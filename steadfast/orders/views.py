"""The customer's order page. The unguessable token is the key: it works for guests and logged-in customers alike."""

from django.conf import settings
from django.shortcuts import redirect, render

from steadfast.checkout.countries import country_name
from steadfast.orders.models import Order
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


def _bank_account(payment) -> str:
    """Account to show prominently for a pending bank transfer (the same one the instructions name)."""
    if payment is None or payment.provider.adapter != "bank_transfer" or payment.state != payment.State.PENDING:
        return ""
    return payment.provider.config.get("account") or settings.SHOP_BANK_ACCOUNT
