"""The start request of a payment attempt: built once, stored on the Payment, sent byte for byte on every replay.

A replay (the customer's request retrying a lost answer, the reconciliation job, a second web node) must send the
same parameters under the same idempotency key, or the provider refuses the key (Stripe, YooKassa) and the attempt
can never be resolved. Anything rebuilt at replay time could differ: the description is translated into the
language of whoever sends it (a Polish customer's start replayed by the worker in English), the order's e-mail may
have been corrected by staff. So the first build is stored (Payment.start_request) and every later send reads it.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from steadfast.money import Money
from steadfast.payments.interface import StartRequest
from steadfast.payments.models import Payment


def payment_start_request(payment) -> StartRequest:
    """The request for this attempt, the same on every call, in every process, whatever the active language."""
    if payment.start_request is None:
        # Two senders may build at once (return page and reconciliation): the first stored build wins, both use it.
        Payment.objects.filter(pk=payment.pk, start_request__isnull=True).update(
            start_request=start_request_data(start_request_build(payment)))
        payment.start_request = Payment.objects.values_list("start_request", flat=True).get(pk=payment.pk)
    return start_request_from(payment.start_request)


def start_request_build(payment) -> StartRequest:
    separator = "&" if "?" in payment.return_url else "?"
    back = f"{payment.return_url}{separator}payment={payment.key}"
    order = payment.order
    return StartRequest(idempotency_key=str(payment.key), order_number=order.number, amount=payment.money,
                        email=order.email, return_url=back, cancel_url=f"{back}&cancelled=1",
                        description=_("Order %(number)s") % {"number": order.number})


def start_request_data(request: StartRequest) -> dict:
    return {"idempotency_key": request.idempotency_key, "order_number": request.order_number,
            "amount": str(request.amount.amount), "currency": request.amount.currency, "email": request.email,
            "return_url": request.return_url, "cancel_url": request.cancel_url, "description": request.description}


def start_request_from(data: dict) -> StartRequest:
    fields = dict(data)
    amount = Money(Decimal(fields.pop("amount")), fields.pop("currency"))
    return StartRequest(amount=amount, **fields)
