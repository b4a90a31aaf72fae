"""The order page's "Send the payment link to the customer" button: the link staff see in the Payment link box
goes out through the outbox (one message per link, whichever channel of the customer's chain carries it)."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from steadfast.adminkit import object_for_button
from steadfast.orders.services import actor_for
from steadfast.payments.links import PaymentLinkRefused, payment_link_send


def payment_link_send_view(model_admin, request, object_id):
    order, refusal = object_for_button(model_admin, request, object_id)
    if refusal is not None:
        return refusal
    # The link the page showed, not whichever is newest: a page left open over a replacement sends nothing stale.
    link = order.payment_links.filter(pk=request.POST.get("link") or None).first()
    try:
        if link is None:
            raise PaymentLinkRefused(gettext("this link was replaced or has expired; create a new one."))
        sent = payment_link_send(link, actor_for(request.user))
    except PaymentLinkRefused as error:
        model_admin.message_user(request, gettext("The payment link for order %(order)s was not sent: %(reason)s") % {
            "order": order, "reason": error}, level="ERROR")
    else:
        if sent:
            model_admin.log_change(request, order, gettext("Payment link sent to the customer."))
            model_admin.message_user(request, gettext(
                "The payment link for order %(order)s is on its way to %(email)s.") % {
                "order": order, "email": order.email}, level="SUCCESS")
        else:
            model_admin.message_user(request, gettext(
                "This payment link was already sent to the customer; it was not sent again."), level="WARNING")
    return redirect(reverse("admin:orders_order_change", args=[order.pk]))
