"""The money leg of a synthetic checkout through an online gateway: pay the gateway's page as a test shopper, come
back to the shop the way the gateway sends the shopper, wait until the shop has the payment (the return's status
query, a webhook or the worker), then refund it through the shop's own refund path (payments.services.payment_refund,
which the reconciliation job retries) and check the refund in the database.

Only for a gateway in test mode whose page can be paid without a person (payments.testpay); otherwise, or with
SYNTHETIC_CHECKOUT_PAY off, the run stops at the gateway's page and the "pay" step says why. Each step is written in
the run's steps, so staff see where the money stopped.
"""

import time
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from steadfast.orders.models import OrderStatus
from steadfast.orders.services import SYSTEM, order_event_add
from steadfast.payments.models import Payment
from steadfast.payments.services import payment_refund
from steadfast.providers.call import call
from steadfast.providers.errors import ProviderError
from steadfast.providers.registry import adapter_for
from steadfast.synthetic.errors import StepFailed

CAPTURE_WAIT = 30.0  # seconds for the shop to learn of the payment after the shopper's return
POLL = 0.2
OPERATION = "test_pay"


def _step(result, step, started, **extra):
    result.steps.append({"step": step, "ok": True, "ms": int((time.monotonic() - started) * 1000), **extra})


def gateway_pay(provider, order, gateway_url, result) -> str:
    """Step "pay": where the gateway sends the shopper back, or "" when the run stops at the gateway's page."""
    started = time.monotonic()
    gateway = adapter_for(provider)
    reason = ""
    if not settings.SYNTHETIC_CHECKOUT_PAY:
        reason = "test payments are off (SYNTHETIC_CHECKOUT_PAY)"
    elif not gateway.test_mode():
        reason = "live mode"
    if not reason:
        try:
            # The probe's own scraping of the page: recorded, but never takes the method away from checkout.
            back = call(provider, OPERATION, partial(gateway.test_pay, gateway_url), reference=order.number,
                        background=True)
        except ProviderError as error:
            raise StepFailed("pay", f"the payment page did not take the test payment ({error})") from None
        if back:
            _step(result, "pay", started)
            return back
        reason = "the page needs a person to pay"
    _step(result, "pay", started, skipped=True, detail=f"stops at the gateway page ({reason})")
    return ""


def online_payment(order) -> Payment | None:
    return order.payments.exclude(redirect_url="").select_related("provider").order_by("-created_at", "-pk").first()


def payment_captured_wait(order, result, started) -> Payment:
    """Step "captured": the payment succeeded in the shop's database and the order is paid."""
    deadline = time.monotonic() + CAPTURE_WAIT
    while True:
        payment = online_payment(order)
        if payment is None:
            raise StepFailed("captured", "no online payment for the order")
        order.refresh_from_db(fields=["status"])
        if payment.state == Payment.State.SUCCEEDED and order.status == OrderStatus.PAID:
            _step(result, "captured", started, detail=f"{payment.money} {payment.charge_reference}".strip())
            return payment
        if payment.state in (Payment.State.FAILED, Payment.State.CANCELLED, Payment.State.REFUNDED):
            raise StepFailed("captured", f"the payment ended {payment.state} ({payment.error or 'no error'})")
        if time.monotonic() >= deadline:
            raise StepFailed("captured", f"the shop did not see the payment within {CAPTURE_WAIT:.0f} s "
                                         f"(payment {payment.get_state_display()}, order {order.status})")
        time.sleep(POLL)


def payment_refund_check(payment, result):
    """Step "refund": through payments.services.payment_refund, as for any charge an order does not keep. A refusal
    leaves the payment "refund due" with the error: the reconciliation job keeps trying, staff see it there."""
    started = time.monotonic()
    with transaction.atomic():
        flagged = Payment.objects.filter(pk=payment.pk, state=Payment.State.SUCCEEDED).update(refund_due=True)
        if flagged:
            order_event_add(payment.order, "synthetic_refund", SYSTEM,
                            _("Synthetic checkout: the test payment is refunded."))
    try:
        payment = payment_refund(payment, message=_(
            "The synthetic checkout's test payment of %(amount)s through %(provider)s was refunded (%(reference)s)."))
    except ProviderError as error:
        raise StepFailed("refund", f"{type(error).__name__}: {error}; {payment.money} is still charged, "
                                   "the payment stays \"refund due\" and the shop retries it") from None
    if payment.state != Payment.State.REFUNDED:
        raise StepFailed("refund", f"the payment is {payment.state}, not refunded")
    _step(result, "refund", started, detail=str(payment.money))
