"""E-mail subscriptions to incident news: double opt-in, one-click unsubscribe, delivery through the outbox."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from steadfast.notify.outbox import outbox_add
from steadfast.status.models import Subscriber


def _url(name, token):
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[token])


def subscriber_add(email: str, language: str | None = None) -> Subscriber:
    """Start (or restart) a subscription and send the confirmation link. Answers the same for known addresses,
    so the form never tells anyone who is subscribed."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Enter a valid e-mail address.")) from None
    language = language or get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"token": secrets.token_urlsafe(32), "language": language}
        )
        if subscriber.active:
            return subscriber
        if subscriber.unsubscribed_at is not None:
            # Coming back after unsubscribing: a fresh token and a fresh confirmation.
            subscriber.token, subscriber.unsubscribed_at, subscriber.confirmed_at = (
                secrets.token_urlsafe(32),
                None,
                None,
            )
            subscriber.language = language
            subscriber.save()
        outbox_add(
            key=f"status-confirm-{subscriber.id}-{subscriber.token[:12]}",
            kind="status_confirm",
            recipient=email,
            payload={
                "confirm_url": _url("status:subscribe_confirm", subscriber.token),
                "language": language,
                "shop_name": settings.SHOP_NAME,
            },
        )
    return subscriber


def subscriber_by_token(token) -> Subscriber | None:
    return Subscriber.objects.filter(token=token).first() if token else None


def subscriber_confirm(subscriber: Subscriber) -> None:
    if subscriber.confirmed_at is None and subscriber.unsubscribed_at is None:
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmed_at=timezone.now())


def subscriber_unsubscribe(subscriber: Subscriber) -> None:
    if subscriber.unsubscribed_at is None:
        Subscriber.objects.filter(pk=subscriber.pk).update(unsubscribed_at=timezone.now())


def subscribers_notify(incident, update) -> int:
    """Queue the incident update for every confirmed subscriber; call inside the transaction writing `update`."""
    count = 0
    active = Subscriber.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)
    for subscriber in active.iterator():
        outbox_add(
            key=f"status-update-{update.id}-{subscriber.id}",
            kind="status_incident",
            recipient=subscriber.email,
            payload={
                "title": incident.title,
                "status": update.status,
                "message": update.message,
                "eta": update.eta.isoformat() if update.eta else None,
                "language": subscriber.language,
                "status_url": settings.SITE_URL.rstrip("/") + reverse("status:page"),
                "unsubscribe_url": _url("status:unsubscribe", subscriber.token),
                "shop_name": settings.SHOP_NAME,
            },
        )
        count += 1
    return count
