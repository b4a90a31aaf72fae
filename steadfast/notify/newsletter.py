"""Newsletter sign-up from the storefront, with double opt-in and a record of the consent.

`newsletter_request` (the form on /newsletter/): keeps the words the person agreed to and when, and writes the
confirmation e-mail to the outbox in the same transaction (kind "newsletter_confirm", e-mail only). The page says
the same whatever the address (subscribed already, or not), so it tells nobody who is on the list.
`newsletter_confirm` (the link in that e-mail, a POST from its page): the address joins the list; campaigns go only to
confirmed, not unsubscribed addresses. Unsubscribing is the campaigns' one-click link (views.unsubscribe).
"""

import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from steadfast.notify.models import NewsletterSubscriber
from steadfast.notify.outbox import outbox_add


def newsletter_request(email: str, language: str, consent_text: str) -> NewsletterSubscriber:
    email = email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        subscriber, created = NewsletterSubscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"token": secrets.token_urlsafe(32), "language": language, "opted_in_at": now,
                                   "consent_source": "storefront", "consent_text": consent_text})
        if not created and subscriber.confirmed_at and subscriber.unsubscribed_at is None:
            return subscriber  # on the list already: nothing to confirm, nothing sent
        if not created:  # asked again (unsubscribed before, or never confirmed): a fresh consent record
            NewsletterSubscriber.objects.filter(pk=subscriber.pk).update(
                language=language, opted_in_at=now, consent_source="storefront", consent_text=consent_text,
                confirmed_at=None)
        confirm = settings.SITE_URL.rstrip("/") + reverse("notify:newsletter_confirm", args=[subscriber.token])
        outbox_add(key=f"newsletter_confirm:{subscriber.pk}:{now:%Y%m%d%H%M%S%f}", kind="newsletter_confirm",
                   recipient=email, addresses={"email": email},
                   payload={"language": language, "confirm_url": confirm, "shop_name": settings.SHOP_NAME})
    return subscriber


def newsletter_confirm(subscriber: NewsletterSubscriber) -> bool:
    """True when this click put the address on the list (again)."""
    waiting = Q(confirmed_at__isnull=True) | Q(unsubscribed_at__isnull=False)
    return bool(NewsletterSubscriber.objects.filter(waiting, pk=subscriber.pk).update(
        confirmed_at=timezone.now(), unsubscribed_at=None))
