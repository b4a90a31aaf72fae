"""The payment decision table: which methods a customer sees, and what each failure leads to.

Methods (payment_methods):
  - enabled providers only, in priority order; offline methods are always available;
  - an online method whose breaker is open (or half-open with its trial in flight) is shown but marked
    "temporarily unavailable", and so is one that just failed as Unavailable/Misconfigured for this order
    (a single failure need not open the breaker, but this customer should not be sent round in circles);
  - when every online method is down, offline methods come first and the page shows a notice with the shop phone.

Errors (decide):
  Declined       say so; retry the same method or pick another; no health penalty (call() counts it as healthy)
  Unavailable    (BreakerOpen, 5xx, 429, connect refused, garbage) and
  Misconfigured  (401/403, bad key: the breaker opens at once, staff are alerted by the provider core):
                 the method is marked unavailable for this order; the same order is offered the next healthy methods
  Indeterminate  sent, answer lost: replay the start with the same idempotency key (QUICK_CHECKS times, in the
                 request). Still unknown (decide_start_lost): a hosted page the customer never received cannot have
                 been paid, so other methods are offered at once and the session is closed by its key in the
                 background (followup.py); only a start that charges by itself would leave the order "confirming".

Confirming ("unknown" payments): the customer came back from the provider's page, or a capture was sent, and the
provider has not answered. No other charge is offered (start_refusal), the reservation does not expire, and the
worker asks again after CONFIRM_RECHECKS (seconds), then the reconciliation job every minute. A status query that
fails (Unavailable) leaves the payment confirming; it never re-opens the choice of methods.

Late successes (late_success): a success on an order that is already paid (through another payment), cancelled
or refunded is refunded automatically and written on the order timeline: an order is never paid twice.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.orders.models import OrderStatus
from steadfast.orders.states import UNPAID
from steadfast.payments.models import Payment
from steadfast.providers.errors import (
    Declined,
    Indeterminate,
    Misconfigured,
    Rejected,
)
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_class
from steadfast.providers.selectors import providers_available
from steadfast.shipping.models import DeliveryMethod

QUICK_CHECKS = 1  # replays of an Indeterminate start within the customer's request; the rest is reconciliation
FAILED_RECENTLY = timedelta(minutes=10)  # an online method that failed for an order stays greyed out that long
# Status queries of a payment still open at the provider: back off so abandoned sessions cost little.
RECHECK_BACKOFF = [timedelta(minutes=m) for m in (2, 5, 15, 60)]
# While confirming: the worker asks again after each of these (then the reconciliation job, every minute).
CONFIRM_RECHECKS = [timedelta(seconds=s) for s in (3, 10, 30)]
RECHECK_GIVE_UP = timedelta(days=2)  # Stripe sessions expire after a day; a pending attempt older than this is dead


@dataclass(frozen=True)
class MethodChoice:
    provider: Provider
    offline: bool
    available: bool
    description: str = ""  # worded for the delivery (method_description), translated


@dataclass(frozen=True)
class MethodMenu:
    choices: list[MethodChoice]
    online_down: bool  # there are online methods and none of them works right now

    @property
    def available(self) -> list[Provider]:
        return [choice.provider for choice in self.choices if choice.available]

    def find(self, code) -> Provider | None:
        return next((p for p in self.available if p.code == code), None)


@dataclass(frozen=True)
class Decision:
    outcome: str  # declined | unavailable | indeterminate | rejected
    payment_state: str
    failure: str
    offer_others: bool
    message: str


def is_offline(provider) -> bool:
    return bool(getattr(adapter_class(provider.adapter), "offline", False))


def pickup_only(provider) -> bool:
    """Methods such as pay at pickup make sense only when the customer collects the order in the shop."""
    return bool(getattr(adapter_class(provider.adapter), "pickup_only", False))


def delivery_only(provider) -> bool:
    """Methods such as cash on delivery need a courier to take the money: not offered with a pickup."""
    return bool(getattr(adapter_class(provider.adapter), "delivery_only", False))


def fits_delivery(provider, pickup: bool) -> bool:
    return not delivery_only(provider) if pickup else not pickup_only(provider)


def delivery_mismatch(provider, pickup: bool) -> str:
    """Why this payment method cannot go with the chosen delivery ("" when it can)."""
    if fits_delivery(provider, pickup):
        return ""
    if pickup:
        return _("%(method)s needs a delivery to your address; with pickup you can pay when you collect the order. "
                 "Please choose another payment method or delivery.") % {"method": _(provider.name)}
    return _("%(method)s is only possible when you collect the order in the shop; please choose "
             "another payment method or pickup.") % {"method": _(provider.name)}


def method_description(provider, pickup: bool) -> str:
    """The line under a payment method, worded for the chosen delivery (translated).

    A method may carry a pickup wording (bank transfer: "ready to collect when the money arrives" rather than "we
    ship"); it replaces the stock description only, so a description the shop owner wrote is shown as written."""
    stock = getattr(adapter_class(provider.adapter), "description", "")
    pickup_text = getattr(adapter_class(provider.adapter), "pickup_description", "")
    if pickup and pickup_text and provider.description in ("", stock):
        return _(pickup_text)
    return _(provider.description) if provider.description else ""


def order_is_pickup(order) -> bool:
    return DeliveryMethod.objects.filter(code=order.delivery_method, kind=DeliveryMethod.Kind.PICKUP).exists()


def payment_methods(order=None, pickup: bool | None = None) -> MethodMenu:
    """The menu for an order (or for checkout, where `pickup` says whether the chosen delivery is a pickup).
    Pickup-only methods are left out unless the delivery is known to be a pickup, delivery-only ones (cash on
    delivery) when it is."""
    providers = list(Provider.objects.filter(kind=Provider.Kind.PAYMENT, enabled=True).order_by("priority", "name"))
    if pickup is None:
        pickup = order is not None and order_is_pickup(order)
    providers = [p for p in providers if fits_delivery(p, pickup)]
    working = {p.pk for p in providers_available(Provider.Kind.PAYMENT)}
    failed = set()
    if order is not None:
        failed = set(order.payments.filter(
            failure__in=(Payment.Failure.UNAVAILABLE, Payment.Failure.MISCONFIGURED, Payment.Failure.REJECTED),
            updated_at__gte=timezone.now() - FAILED_RECENTLY,
        ).values_list("provider_id", flat=True))
    choices = []
    for provider in providers:
        offline = is_offline(provider)
        usable = offline or (provider.pk in working and provider.pk not in failed)
        choices.append(MethodChoice(provider, offline, usable, method_description(provider, pickup)))
    online = [c for c in choices if not c.offline]
    online_down = bool(online) and not any(c.available for c in online)
    if online_down:
        choices.sort(key=lambda c: not c.offline)  # stable: offline first, each group in priority order
    return MethodMenu(choices, online_down)


def decide(error) -> Decision:
    if isinstance(error, Rejected):
        return decide_rejected(error)
    if isinstance(error, Declined):
        return Decision("declined", Payment.State.FAILED, Payment.Failure.DECLINED, True,
                        _("Your payment was declined. You can try again or choose another payment method."))
    if isinstance(error, Indeterminate):
        return Decision("indeterminate", Payment.State.UNKNOWN, Payment.Failure.NONE, False,
                        _("We are confirming your payment with the payment provider. Please do not pay again: "
                          "this page shows the result as soon as we know it."))
    failure = Payment.Failure.MISCONFIGURED if isinstance(error, Misconfigured) else Payment.Failure.UNAVAILABLE
    return Decision("unavailable", Payment.State.FAILED, failure, True,
                    _("Card payments are temporarily unavailable. Your order is saved: please choose another "
                      "payment method below."))


def start_moves_money(provider) -> bool:
    """Whether a gateway's start can take money by itself (a direct charge). Hosted pages (Stripe Checkout, PayPal,
    YooKassa) only create a session; no money moves before the customer acts on its page."""
    return bool(getattr(adapter_class(provider.adapter), "start_moves_money", False))


def decide_start_lost(provider) -> Decision:
    """A start whose answer stayed lost after the quick replays."""
    if start_moves_money(provider):
        return decide(Indeterminate("start answer lost"))
    return Decision("unavailable", Payment.State.FAILED, Payment.Failure.UNAVAILABLE, True,
                    _("We could not open the payment page of %(provider)s. Nothing was charged: your order is saved, "
                      "please choose another payment method below.") % {"provider": _(provider.name)})


def start_refusal(order) -> str:
    """Why no new payment may start for this order now ("" when it may)."""
    if order.paid_at is not None or order.payments.filter(state=Payment.State.SUCCEEDED).exists():
        return _("This order is already paid.")
    if order.status not in UNPAID:
        return _("This order can no longer be paid.")
    if order.payments.filter(state=Payment.State.UNKNOWN).exists():
        return _("We are still confirming your previous payment; please wait before paying again.")
    return ""


def confirming(order) -> bool:
    return order.payments.filter(state=Payment.State.UNKNOWN).exists()


def late_success(order, payment) -> bool:
    """True when this success must be refunded: the order was paid another way, or is no longer payable."""
    if order.status not in UNPAID and order.status != OrderStatus.PAID:
        return True  # cancelled (reservation expired), shipped unpaid on cash on delivery, refunded
    if order.paid_at is not None:
        return True
    return order.payments.filter(state=Payment.State.SUCCEEDED).exclude(pk=payment.pk).exists()


def recheck_due(payment, now=None) -> bool:
    """Whether the reconciliation job should query this payment's status now."""
    now = now or timezone.now()
    if payment.state == Payment.State.UNKNOWN:
        return True
    if payment.state != Payment.State.PENDING or now - payment.created_at > RECHECK_GIVE_UP:
        return False
    wait = RECHECK_BACKOFF[min(payment.checks, len(RECHECK_BACKOFF) - 1)]
    return now - payment.updated_at >= wait


def decide_rejected(error) -> Decision:
    return Decision("rejected", Payment.State.FAILED, Payment.Failure.REJECTED, True,
                    _("This payment method could not take this order. Your order is saved: please choose another "
                      "payment method below; our staff have been told."))


# --- Payments nobody can confirm (issue 8, item 3) ----------------------------------------------------------------
# A payment "confirming" (unknown) this long after it was made is given up by the reconciliation job and handed to
# staff (payments.unresolved): a provider down for hours, or a replay the provider refuses, must not keep an order
# waiting forever, nor keep querying. A success reported later still counts (a webhook, a staff-triggered check).
# Both bounds must be passed: the age, and the number of status queries that could not settle it (so a shop that
# was itself down for hours still asks before giving up).
UNKNOWN_GIVE_UP = timedelta(hours=2)
UNKNOWN_GIVE_UP_CHECKS = 10


def unknown_given_up(payment, now=None) -> bool:
    now = now or timezone.now()
    return (payment.state == Payment.State.UNKNOWN and payment.checks >= UNKNOWN_GIVE_UP_CHECKS
            and now - payment.created_at >= UNKNOWN_GIVE_UP)


# --- The payment step's time budget (issue 8, item 5) ---------------------------------------------------------------
# The customer's "Pay" request (start + replays of a lost answer) ends within settings.PAYMENT_STEP_BUDGET seconds,
# however the gateway behaves: each send gets at most the provider's start timeout (config "start_timeout", shorter
# than the general read timeout) and never more than what is left of the budget. What the budget does not settle,
# reconciliation does in the background. A sync web worker is held at most that long (docs/payments.md, sizing).
DEFAULT_START_TIMEOUT = 5.0
MIN_SEND = 1.0  # a replay with less time left than this is not worth holding the customer for
STEP_RESERVE = 0.5  # of the budget, kept for our own work around the sends (database, the SDK, the redirect)


def payment_step_deadline() -> float:
    return time.monotonic() + settings.PAYMENT_STEP_BUDGET


def start_timeout(provider, deadline: float) -> float | None:
    """The timeout for the next start send within the step's deadline; None when the budget is used up."""
    left = deadline - STEP_RESERVE - time.monotonic()
    if left < MIN_SEND:
        return None
    try:
        own = float(provider.config.get("start_timeout", DEFAULT_START_TIMEOUT))
    except (TypeError, ValueError):
        own = DEFAULT_START_TIMEOUT
    return min(own if own > 0 else DEFAULT_START_TIMEOUT, left)
