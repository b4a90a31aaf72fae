"""Promotional e-mail campaigns, held automatically while the shop is degraded or closed.

Every minute `campaigns_tick` looks at due campaigns: while the shop mode is anything but open, a due campaign is
held (no message written) and staff get one alert; when open, one outbox row per subscriber is written (kind
"campaign", e-mail only: promotions never fall back to SMS or Telegram). Rows already queued when the shop degrades
are held by the worker at delivery time (status "held", no attempt counted). Held campaigns wait for staff:
`campaign_resume` (send now) or `campaign_reschedule` (send at a new time) — never automatically.
Each e-mail carries List-Unsubscribe / List-Unsubscribe-Post (RFC 8058 one-click) with the subscriber's token.
"""

import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steadfast.notify.alerts import staff_alert_add
from steadfast.notify.models import Campaign, NewsletterSubscriber, OutboxMessage
from steadfast.notify.outbox import outbox_add

PROMOTIONAL_KINDS = {"campaign"}


def shop_closed_reason() -> str:
    """"" while the shop is open; otherwise the mode's label (degraded, catalog only, maintenance...)."""
    from steadfast.status.models import Mode
    from steadfast.status.selectors import current_mode

    state = current_mode()
    return "" if state.mode == Mode.OPEN else str(state.label)


def newsletter_subscribe(email: str, language: str = "en") -> NewsletterSubscriber:
    """Staff add an address they have consent for (the storefront uses newsletter.newsletter_request)."""
    subscriber, _created = NewsletterSubscriber.objects.get_or_create(
        email=email.strip().lower(), defaults={"token": secrets.token_urlsafe(32), "language": language,
                                               "confirmed_at": timezone.now()})
    if subscriber.unsubscribed_at is not None or subscriber.confirmed_at is None:
        NewsletterSubscriber.objects.filter(pk=subscriber.pk).update(unsubscribed_at=None, confirmed_at=timezone.now(),
                                                                     opted_in_at=timezone.now())
    return subscriber


def newsletter_unsubscribe(subscriber: NewsletterSubscriber) -> None:
    NewsletterSubscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now())


def campaigns_tick(now=None) -> list[str]:
    """Returns what happened, e.g. ["3:held", "4:queued"]."""
    now = now or timezone.now()
    done = []
    for campaign in Campaign.objects.filter(status=Campaign.Status.SCHEDULED, scheduled_at__lte=now):
        reason = shop_closed_reason()
        done.append(f"{campaign.pk}:{campaign_hold(campaign, reason) if reason else campaign_queue(campaign)}")
    return done


def campaign_hold(campaign, reason: str) -> str:
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk).exclude(status=Campaign.Status.HELD).update(
            status=Campaign.Status.HELD, held_reason=reason[:200])
        if changed:
            staff_alert_add(key=f"staff_campaign:{campaign.pk}:held:{timezone.now():%Y%m%d%H%M}",
                            kind="staff_campaign", payload={
                                "subject": campaign.subject, "reason": reason,
                                "admin_url": settings.SITE_URL.rstrip("/")
                                + reverse("admin:notify_campaign_change", args=[campaign.pk])})
    return "held"


def campaign_queue(campaign) -> str:
    """Write one outbox row per active subscriber (the same keys again are no-ops) and release held ones."""
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING, held_reason="")
        # Only addresses confirmed from their own mailbox (double opt-in) and not unsubscribed since.
        subscribers = NewsletterSubscriber.objects.filter(unsubscribed_at__isnull=True, confirmed_at__isnull=False)
        for subscriber in subscribers.iterator():
            unsubscribe = settings.SITE_URL.rstrip("/") + reverse("notify:unsubscribe", args=[subscriber.token])
            outbox_add(key=f"campaign:{campaign.pk}:{subscriber.pk}", kind="campaign", recipient=subscriber.email,
                       addresses={"email": subscriber.email}, payload={
                           "campaign": campaign.pk, "subject": campaign.subject, "body": campaign.body,
                           "language": subscriber.language, "unsubscribe_url": unsubscribe,
                           "shop_name": settings.SHOP_NAME})
        _messages(campaign).filter(status=OutboxMessage.Status.HELD).update(
            status=OutboxMessage.Status.PENDING, next_attempt_at=campaign.scheduled_at)
    return "queued"


def campaign_resume(campaign) -> str:
    """Staff: send a held campaign now (refused while the shop is still not open)."""
    reason = shop_closed_reason()
    if reason:
        return campaign_hold(campaign, reason)
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now())
    campaign.refresh_from_db()
    return campaign_queue(campaign)


def campaign_reschedule(campaign, when) -> None:
    """Staff: send a held campaign at `when` (the tick checks the shop again then)."""
    # Rows held at delivery stay held; the tick that queues the campaign at `when` releases them.
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SCHEDULED, scheduled_at=when,
                                                   held_reason="")


def campaign_message_hold(message, reason: str) -> bool:
    """The worker, about to send a promotional message while the shop is not open: hold it and its campaign."""
    held = OutboxMessage.objects.filter(pk=message.pk, lease_token=message.lease_token,
                                        status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.HELD, lease_until=None, lease_token="")
    campaign = Campaign.objects.filter(pk=message.payload.get("campaign")).first()
    if held and campaign is not None and campaign.status != Campaign.Status.HELD:
        campaign_hold(campaign, reason)
    return bool(held)


def _messages(campaign):
    return OutboxMessage.objects.filter(kind="campaign", key__startswith=f"campaign:{campaign.pk}:")
