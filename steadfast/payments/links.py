"""Payment links for phone orders: staff make one and either press "Send the payment link to the customer" (an
outbox message along the customer's chain: e-mail, then SMS, then Telegram) or send it themselves (chat, a call);
the customer pays online on their own device through the normal payment_start flow. Staff never handle card numbers.

A link is a random 256-bit token bound to one order. It works until settings.PAYMENT_LINK_HOURS have passed or
staff make a newer one for the same order (only one live link per order). Creating one keeps the order's stock
reserved at least until the link expires, or the reservation job would cancel the order under the customer.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.notify.models import OutboxMessage
from steadfast.notify.outbox import outbox_add
from steadfast.orders.models import Order
from steadfast.orders.services import order_event_add, order_payload
from steadfast.payments import routing
from steadfast.payments.models import PaymentLink
from steadfast.shoptime import shop_datetime


class PaymentLinkRefused(ValueError):
    """No link for this order (already paid, cancelled, or a payment is being confirmed)."""


def payment_link_create(order, actor) -> PaymentLink:
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        refusal = routing.start_refusal(locked)
        if refusal:
            raise PaymentLinkRefused(refusal)
        now = timezone.now()
        expires = now + timedelta(hours=settings.PAYMENT_LINK_HOURS)
        PaymentLink.objects.filter(order=locked, revoked_at=None).update(revoked_at=now)
        link = PaymentLink.objects.create(order=locked, created_by=actor, expires_at=expires)
        if locked.reserved_until is not None and locked.reserved_until < expires:
            locked.reserved_until = expires
            locked.save(update_fields=["reserved_until", "updated_at"])
        until = shop_datetime(expires)  # the timeline names the zone, like every time staff see
        order_event_add(locked, "payment_link", actor, _(
            "Payment link created for the customer to pay online; it works until %(until)s and the items stay "
            "reserved until then.") % {"until": until})
    return link


def payment_link_send(link, actor) -> bool:
    """Queue the link for the customer (kind `payment_link`, one message per link however often staff press).
    True when queued now, False when this link was queued before; PaymentLinkRefused when it no longer works."""
    key = f"payment_link:{link.pk}"
    with transaction.atomic():
        # The order's lock orders two presses at once: the second sees the first's row and adds no event.
        order = Order.objects.select_for_update().get(pk=link.order_id)
        link = PaymentLink.objects.get(pk=link.pk)
        if not link.is_live():
            raise PaymentLinkRefused(_("this link was replaced or has expired; create a new one."))
        if OutboxMessage.objects.filter(key=key).exists():
            return False
        outbox_add(key=key, kind="payment_link", recipient=order.email, order=order, payload={
            **order_payload(order), "url": payment_link_url(link), "until": link.expires_at.isoformat()})
        order_event_add(order, "payment_link_sent", actor, _(
            "Payment link sent to the customer (%(email)s; by SMS or Telegram if e-mail fails).") % {
            "email": order.email})
    return True


def payment_link_live(token: str) -> PaymentLink | None:
    link = PaymentLink.objects.filter(token=token).select_related("order").first() if token else None
    return link if link is not None and link.is_live() else None


def payment_link_current(order) -> PaymentLink | None:
    """The order's live link, for the staff order page."""
    link = order.payment_links.filter(revoked_at=None, expires_at__gt=timezone.now()).first()
    return link


def payment_link_url(link) -> str:
    return settings.SITE_URL.rstrip("/") + link.get_absolute_url()


def payment_link_menu(order) -> routing.MethodMenu:
    """Online methods only: the point of the link is paying now, from a distance."""
    menu = routing.payment_methods(order)
    online = [choice for choice in menu.choices if not choice.offline]
    return routing.MethodMenu(online, bool(online) and not any(choice.available for choice in online))
