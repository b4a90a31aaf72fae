"""Stock-hoarding limits: what one unverified customer may reserve, and how long an unconfirmed offline order holds it.

A guest's order reserves stock before any money moves (order first). Without limits, a made-up e-mail and cash on
delivery could hold the whole stock forever. So for customers who have not proved an e-mail address (guests):
a maximum quantity per line and order value, a cap on open unpaid orders per e-mail, phone and address, and
offline orders that hold stock for OFFLINE_CONFIRM_MINUTES unless confirmed from the e-mail link or by staff.
Staff are alerted when one order reserves an unusual amount.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.money import Money
from steadfast.orders.models import Order
from steadfast.orders.states import UNPAID
from steadfast.security.alerts import security_alert

CONFIRM_SALT = "steadfast.order-confirm"


class LimitExceeded(ValueError):
    """Raised with a message the shopper can act on; checkout turns it into a CheckoutError."""


def verified(user) -> bool:
    """A logged-in customer activated the account from an e-mail link; staff are known. Guests are not verified."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def order_limits_check(wanted: dict, subtotal: Money, details, user) -> None:
    """Called inside the placing transaction, before the order row is written."""
    if len(wanted) > settings.ORDER_MAX_LINES:
        raise LimitExceeded(_("An order can have at most %(n)s different items.") % {"n": settings.ORDER_MAX_LINES})
    if verified(user):
        return
    if max(wanted.values()) > settings.ORDER_MAX_QUANTITY_PER_LINE:
        raise LimitExceeded(_("You can order at most %(n)s of one item; for more, please contact us.")
                            % {"n": settings.ORDER_MAX_QUANTITY_PER_LINE})
    if settings.ORDER_MAX_VALUE_UNVERIFIED and subtotal.amount > settings.ORDER_MAX_VALUE_UNVERIFIED:
        raise LimitExceeded(_("Orders above %(limit)s need an account: please sign up or log in, or contact us.")
                            % {"limit": Money(settings.ORDER_MAX_VALUE_UNVERIFIED, subtotal.currency)})


def open_orders_check(details, user) -> None:
    """Before the placing transaction, so the staff alert is kept when the order is refused."""
    if verified(user):
        return
    cap = settings.ORDER_MAX_OPEN_UNPAID
    # Bounded: counting every unpaid order of a hoarder would grow with the abuse it is there to stop.
    if len(open_unpaid_orders(details).values_list("pk", flat=True)[:cap]) >= cap:
        security_alert(
            key=f"open-unpaid:{details.email}:{timezone.now():%Y%m%d%H}",
            subject=_("Unpaid orders piling up for %(email)s") % {"email": details.email},
            text=_("A new order was refused: %(email)s / %(phone)s already has %(n)s unpaid orders holding stock.")
            % {"email": details.email, "phone": details.phone, "n": settings.ORDER_MAX_OPEN_UNPAID},
            admin_path="/admin/orders/order/?q=" + details.email,
        )
        raise LimitExceeded(_("You already have %(n)s unpaid orders. Please pay or cancel one of them first, or "
                              "contact us.") % {"n": settings.ORDER_MAX_OPEN_UNPAID})


def open_unpaid_orders(details):
    """Unpaid orders of the same person: same e-mail, same phone digits, or same street and postcode."""
    match = Q(email__iexact=details.email)
    if details.phone:
        match |= Q(phone=details.phone)
    if details.address_line1 and details.postcode:
        match |= Q(address_line1__iexact=details.address_line1, postcode__iexact=details.postcode)
    return Order.objects.filter(match, status__in=UNPAID)


def reservation_alert(order, wanted: dict) -> None:
    units = sum(wanted.values())
    if units < settings.RESERVATION_ALERT_UNITS:
        return
    security_alert(
        key=f"reservation:{order.pk}",
        subject=_("Large reservation: %(number)s") % {"number": order.number},
        text=_("Order %(number)s (%(email)s, %(method)s) reserves %(units)s units worth %(total)s.")
        % {"number": order.number, "email": order.email, "method": order.payment_name, "units": units,
           "total": order.total_money},
        admin_path=f"/admin/orders/order/{order.pk}/change/",
    )


def offline_needs_confirmation(user) -> bool:
    return settings.OFFLINE_CONFIRM_MINUTES > 0 and not verified(user)


def offline_hold(order) -> None:
    """An unconfirmed offline order holds stock briefly; the reservation sweep releases it unless confirmed."""
    order.reserved_until = timezone.now() + timedelta(minutes=settings.OFFLINE_CONFIRM_MINUTES)


def confirm_url(order) -> str:
    token = signing.dumps(order.pk, salt=CONFIRM_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("orders:confirm", args=[order.token, token])


def confirmation_matches(order, token) -> bool:
    try:
        return signing.loads(token, salt=CONFIRM_SALT) == order.pk
    except signing.BadSignature:
        return False
