"""E-mail verification (which links earlier guest orders to the account) and the guest order lookup.

Links are signed (django.core.signing), so nothing secret is stored; every e-mail goes through the outbox."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steadfast.accounts.models import VerifiedEmail
from steadfast.notify.models import OutboxMessage
from steadfast.notify.outbox import outbox_add
from steadfast.orders.models import Order
from steadfast.orders.services import order_payload

VERIFY_SALT = "steadfast.accounts.verify"
VERIFY_MAX_AGE = timedelta(days=7)
LOOKUP_MAILS_PER_ORDER = 3  # per LOOKUP_WINDOW: the lookup cannot be used to flood a customer's mailbox
LOOKUP_WINDOW = timedelta(hours=1)


def verification_send(user, language) -> OutboxMessage:
    token = signing.dumps({"user": user.pk, "email": user.email.lower()}, salt=VERIFY_SALT)
    url = settings.SITE_URL.rstrip("/") + reverse("accounts:verify", args=[token])
    with transaction.atomic():
        return outbox_add(key=f"account_verify:{user.pk}:{uuid.uuid4().hex[:12]}", kind="account_verify",
                          recipient=user.email, payload={"language": language, "url": url, "email": user.email})


def email_verify(token):
    """The user whose address the link proves (and their guest orders linked), or None for a bad/old link."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or user.email.lower() != data.get("email"):
        return None  # the account's address changed since: the link proves the old one only
    email_verified_record(user)
    return user


def email_verified_record(user) -> int:
    """Remember that `user` proved their address and link their guest orders; returns how many were linked."""
    with transaction.atomic():
        VerifiedEmail.objects.update_or_create(user=user, defaults={"email": user.email.lower()})
        return guest_orders_link(user)


def account_activate(user) -> int:
    """The sign-up link was opened: the account becomes active and its address verified (guest orders linked)."""
    with transaction.atomic():
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        return email_verified_record(user)


def email_is_verified(user) -> bool:
    verified = VerifiedEmail.objects.filter(user=user).first()
    return verified is not None and verified.email == user.email.lower()


def guest_orders_link(user) -> int:
    """Give a verified customer the orders placed as a guest with their address (called on verification and on
    every login, so a guest order placed later shows up too). Returns how many were linked."""
    if not email_is_verified(user):
        return 0
    return Order.objects.filter(user__isnull=True, email__iexact=user.email).update(user=user)


def order_lookup_send(number, email) -> bool:
    """E-mail the link of order `number` to `email` when they belong together. The caller answers the same either
    way, so the page does not tell which order numbers or addresses exist."""
    order = Order.objects.filter(number__iexact=number.strip(), email__iexact=email.strip()).first()
    if order is None:
        return False
    recent = OutboxMessage.objects.filter(order=order, kind="order_lookup",
                                          created_at__gte=timezone.now() - LOOKUP_WINDOW).count()
    if recent >= LOOKUP_MAILS_PER_ORDER:
        return False
    with transaction.atomic():
        outbox_add(key=f"order_lookup:{order.pk}:{uuid.uuid4().hex[:12]}", kind="order_lookup",
                   recipient=order.email, order=order, payload=order_payload(order))
    return True
