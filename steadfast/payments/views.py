"""Customer-facing payment views: the redirect to a gateway, the return from it, "pay another way", and the page a
staff-made payment link opens.

Only the return (the provider sends the customer to the order page with ?payment=<key>) asks the provider and may
capture; it then redirects to the plain order page. Viewing the order page never calls a provider: prefetchers,
crawlers and the page's own refresh while "confirming" move no money (the worker re-checks within seconds)."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import actor_for, order_event_add
from steadfast.payments import routing
from steadfast.payments.followup import payment_abandon, payment_returned
from steadfast.payments.interface import Form, Redirect
from steadfast.payments.links import payment_link_live, payment_link_menu
from steadfast.payments.models import Payment
from steadfast.payments.services import PaymentFailed, PaymentNotAllowed, payment_start
from steadfast.providers.errors import ProviderError


def payment_begin(request, order, provider):
    """Start paying and answer with where the customer goes next: the gateway's page or the order page."""
    try:
        result = payment_start(order, provider, return_url=request.build_absolute_uri(order.get_absolute_url()),
                               actor=actor_for(request.user))
    except PaymentNotAllowed as error:
        messages.error(request, str(error))
        return redirect(order)
    except PaymentFailed as failed:
        messages.warning(request, str(failed))
        return redirect(order)
    if isinstance(result, Redirect):
        return redirect(result.url)
    if isinstance(result, Form):
        return render(request, "payments/form.html", {"form": result, "order": order})
    messages.success(request, _("Your order %(number)s is saved; see below how to pay.") % {"number": order.number})
    return redirect(order)


def pay_rate(group, request):
    return settings.RATELIMIT_PLACE_ORDER  # the same budget as placing an order: each one may call a gateway


@require_POST
@ratelimit(key="ip", rate=pay_rate, block=True)
def order_pay(request, token):
    order = Order.objects.filter(token=token).first()
    if order is None:
        return render(request, "orders/not_found.html", status=404)
    provider = routing.payment_methods(order).find(request.POST.get("method", ""))
    if provider is None:
        messages.error(request, _("Please choose one of the payment methods shown."))
        return redirect(order)
    return payment_begin(request, order, provider)


def order_payment_context(order) -> dict:
    """For the order page: what to show about paying. Reads only."""
    confirming = routing.confirming(order)
    payable = order.status == OrderStatus.PENDING_PAYMENT and not routing.start_refusal(order)
    open_payment = order.payments.filter(state=Payment.State.PENDING, expire_due=False).exclude(redirect_url="")
    return {"confirming": confirming, "pay_menu": routing.payment_methods(order) if payable else None,
            "open_payment": open_payment.first() if payable else None}


def payment_return(request, order) -> bool:
    """The return from a gateway (?payment=<key>[&cancelled=1]): settle it. False when it names no payment."""
    try:
        key = uuid.UUID(request.GET.get("payment", ""))
    except ValueError:
        return False
    payment = order.payments.filter(key=key).select_related("provider", "order").first()
    if payment is None:
        return False
    cancelled = bool(request.GET.get("cancelled"))
    try:
        payment = payment_abandon(payment) if cancelled else payment_returned(payment)
    except ProviderError:
        if cancelled:
            messages.warning(request, _("Your payment was not completed. You can try again or choose another "
                                        "payment method below."))
        return True  # not cancelled: the payment is confirming and the page says so
    if payment.state == Payment.State.SUCCEEDED and not payment.refund_due:
        messages.success(request, _("Thank you! Your payment was received."))
    elif payment.state in (Payment.State.CANCELLED, Payment.State.FAILED) or cancelled:
        messages.warning(request, _("Your payment was not completed. You can try again or choose another "
                                    "payment method below."))
    return True


@ratelimit(key="ip", rate=pay_rate, method="POST", block=True)
def payment_link(request, token):
    """/pay/<token>/: the page a staff-made payment link opens; the customer picks an online method and pays."""
    link = payment_link_live(token)
    if link is None:
        return render(request, "payments/link_gone.html", status=404)
    order = link.order
    refusal = routing.start_refusal(order)
    menu = payment_link_menu(order) if not refusal else None
    if request.method == "POST" and menu is not None:
        provider = menu.find(request.POST.get("method", ""))
        if provider is None:
            messages.error(request, _("Please choose one of the payment methods shown."))
            return redirect(request.path)
        order_event_add(order, "payment_link_used", actor_for(request.user), _(
            "Payment started from the payment link with %(provider)s.") % {"provider": provider.name})
        try:
            result = payment_start(order, provider, return_url=request.build_absolute_uri(order.get_absolute_url()),
                                   actor=actor_for(request.user))
        except PaymentNotAllowed as error:
            messages.error(request, str(error))
            return redirect(order)
        except PaymentFailed as failed:
            messages.warning(request, str(failed))
            return redirect(request.path)  # the same link offers the other online methods
        if isinstance(result, Redirect):
            return redirect(result.url)
        if isinstance(result, Form):
            return render(request, "payments/form.html", {"form": result, "order": order})
        return redirect(order)
    return render(request, "payments/link.html", {"order": order, "link": link, "menu": menu, "refusal": refusal,
                                                   "confirming": routing.confirming(order)})
