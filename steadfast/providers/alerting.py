"""Staff alerts, grouped by episode: one when a provider goes out, reminders at growing intervals while it stays
out, one when it is back. A failed trial, a flapping half-open state or a retry is never an e-mail of its own.

Two kinds of episode (AlertEpisode.Kind):
- OUT: the breaker opened (customers no longer get the method). Opened and closed by breaker transitions
  (receiver `alerting_health_changed` on providers.signals.health_changed).
- BACKGROUND: refunds, status queries and other background calls failed STAFF_ALERT_BACKGROUND_FAILURES times in
  a row. They do not take the method away from checkout (issue 8), but staff must know; closed by the next
  background call that works.

Reminders: `alerts_remind()` (run by the probe tick) after STAFF_ALERT_REMINDER_SECONDS, then twice as long each
time, at most a day apart. Staff switching a provider off ends its OUT episode (they know: no reminders, no "back")
and, as every manual change does, is one alert itself: "for information" (oncall/policy.py), and in an outage the
episode's last alert, which resolves the outage's page so its escalation stops.

Alerts are written through notify's public outbox API (notify.alerts.staff_alert_add, kind "staff_alert"): one
outbox row for the whole staff, carried by the staff chain, with its dedupe key per episode and alert number (per
HealthEvent for an alert outside an episode, e.g. a manual change), in the same transaction as the episode row:
no alert is lost, none is doubled.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from steadfast.providers.breaker import CLOSED, DISABLED, HALF_OPEN, OPEN, cooldown
from steadfast.providers.health import failure_in_words, failures_began
from steadfast.providers.models import AlertEpisode, Attempt, HealthEvent, Provider
from steadfast.providers.registry import has_probe
from steadfast.providers.store import store
from steadfast.shoptime import shop_datetime

log = logging.getLogger(__name__)

MAX_REMINDER_GAP = 86400
_FAILED = set(Attempt.FAILURES)


# --- receivers and hooks --------------------------------------------------------------------------------


def alerting_health_changed(sender, event: HealthEvent = None, **kwargs):
    """Receiver for providers.signals.health_changed: turn breaker transitions into episodes."""
    if event is None:
        return
    provider, to_state, from_state = event.provider, event.to_state, event.from_state
    if to_state == OPEN:
        episode = _episode_open(provider, AlertEpisode.Kind.OUT, event.reason, event.created_at)
        if episode is not None:
            _send(episode, "out", event)
    elif to_state == CLOSED and from_state in (OPEN, HALF_OPEN):
        episode = _episode_close(provider, AlertEpisode.Kind.OUT)
        _send(episode, "back", event, provider=provider)
    elif to_state == DISABLED:
        # Staff switched it off: they know, no more reminders. Sent with the outage's episode (if one was open), the
        # alert resolves the outage's page: nobody further is woken for a provider staff already took out.
        episode = _episode_close(provider, AlertEpisode.Kind.OUT)
        _send(episode, "disabled", event, provider=provider)
    elif to_state == CLOSED and from_state == DISABLED:
        _send(None, "enabled", event, provider=provider)
    # to half_open: a trial started; its outcome is the next event. Nothing to tell.


def background_outcome(provider, operation, outcome, error=""):
    """Called by call() for background operations: count failures in a row, alert once, close on success."""
    key = f"sf:alert:background:{provider.code}"
    if outcome == Attempt.Outcome.REJECTED:
        return
    if outcome not in _FAILED:
        if store.get_many([key]).get(key):
            store.set(key, 0, MAX_REMINDER_GAP)
            episode = _episode_close(provider, AlertEpisode.Kind.BACKGROUND)
            if episode is not None:
                _send(episode, "background_back", provider=provider)
        return
    failures = store.incr(key, MAX_REMINDER_GAP)
    if failures >= settings.STAFF_ALERT_BACKGROUND_FAILURES:
        reason = _("%(count)s %(operation)s calls in a row failed, last: %(error)s") % {
            "count": failures, "operation": operation, "error": error,
        }
        episode = _episode_open(provider, AlertEpisode.Kind.BACKGROUND, reason, timezone.now())
        if episode is not None:
            _send(episode, "background")


def alerts_remind(now=None) -> int:
    """Send the reminders that are due; returns how many episodes got one."""
    now = now or timezone.now()
    due = AlertEpisode.objects.filter(closed_at__isnull=True, next_reminder_at__lte=now).select_related("provider")
    sent = 0
    for episode in due:
        if episode.kind == AlertEpisode.Kind.OUT and not _still_out(episode.provider):
            # The closing transition's receiver failed (or ran before this episode committed): close it now.
            _episode_close(episode.provider, episode.kind)
            _send(episode, "back", provider=episode.provider)
            continue
        _send(episode, "reminder", now=now)
        sent += 1
    return sent


# --- episodes -------------------------------------------------------------------------------------------


def _episode_open(provider, kind, reason, at):
    """The new open episode, or None when one is open already (the outage goes on: no new alert)."""
    if AlertEpisode.objects.filter(provider=provider, kind=kind, closed_at__isnull=True).exists():
        return None
    began = failures_began(provider, at) if kind == AlertEpisode.Kind.OUT else None
    try:
        with transaction.atomic():
            return AlertEpisode.objects.create(provider=provider, kind=kind, reason=reason[:500], began_at=began or at)
    except IntegrityError:  # another process opened it a moment ago
        return None


def _episode_close(provider, kind):
    episode = AlertEpisode.objects.filter(provider=provider, kind=kind, closed_at__isnull=True).first()
    if episode is None:
        return None
    closed = AlertEpisode.objects.filter(pk=episode.pk, closed_at__isnull=True).update(closed_at=timezone.now())
    if not closed:  # another process closed it (and alerted)
        return None
    episode.closed_at = timezone.now()
    return episode


def _still_out(provider) -> bool:
    from steadfast.providers.selectors import provider_state

    return provider.enabled and provider_state(provider) in (OPEN, HALF_OPEN)


# --- the alert itself -----------------------------------------------------------------------------------


def _send(episode, alert, event=None, provider=None, now=None):
    from steadfast.notify.alerts import staff_alert_add  # notify's public API; notify imports providers

    if episode is None and alert in ("back", "background_back") and event is None:
        return
    provider = provider or episode.provider
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        payload = _payload(provider, episode, alert, event, now)
    with transaction.atomic():
        number = 0
        if episode is not None:
            number = _count_alert(episode, alert, now)
        # One row for the whole staff: the staff chain (Telegram, SMS, e-mail, Apprise) carries it.
        key = f"staff_alert:episode:{episode.pk}:{number}" if episode is not None else f"staff_alert:health:{event.pk}"
        staff_alert_add(key=key, kind="staff_alert", payload=payload)
    log.info("Staff alert %s for %s (%s)", alert, provider.code, payload["subject"])


def _count_alert(episode, alert, now) -> int:
    number = episode.alerts_sent + 1
    gap = None
    if alert in ("out", "background", "reminder"):
        first = settings.STAFF_ALERT_REMINDER_SECONDS
        gap = timedelta(seconds=min(first * 2 ** (number - 1), MAX_REMINDER_GAP))
    AlertEpisode.objects.filter(pk=episode.pk).update(
        alerts_sent=number, next_reminder_at=(now + gap) if gap else None
    )
    episode.alerts_sent = number
    return number


def _payload(provider, episode, alert, event, now) -> dict:
    began = episode.began_at if episode is not None else None
    names = {"name": provider.name, "code": provider.code}
    words = failure_in_words(episode.reason if episode is not None else (event.reason if event else ""))
    duration = _duration(now - began) if began else ""
    if alert == "out":
        subject = _("[%(name)s] OUT OF SERVICE") % names
        summary = _("%(name)s is out of service: %(words)s. First failure: %(began)s.") % {
            **names, "words": words, "began": _clock(began),
        } + " " + _what_the_shop_does(provider)
    elif alert == "reminder":
        subject = _("[%(name)s] still out of service (%(duration)s)") % {**names, "duration": duration}
        summary = _("%(name)s has been out of service for %(duration)s, since %(began)s: %(words)s.") % {
            **names, "duration": duration, "began": _clock(began), "words": words,
        } + " " + _what_the_shop_does(provider)
    elif alert == "back":
        subject = _("[%(name)s] working again") % names
        why = event.reason if event is not None else _("its breaker is closed")
        summary = _("%(name)s is back in service (%(why)s); the shop uses it again.") % {**names, "why": why}
        if duration:
            summary += " " + _("The outage lasted %(duration)s (first failure %(began)s).") % {
                "duration": duration, "began": _clock(began),
            }
    elif alert == "background":
        subject = _("[%(name)s] background calls failing") % names
        summary = _(
            "Background calls to %(name)s (refunds, payment status queries) keep failing: %(why)s. Checkout still "
            "offers it; refunds and confirmations wait and are retried. Check the provider health page."
        ) % {**names, "why": episode.reason}
    elif alert == "background_back":
        subject = _("[%(name)s] background calls work again") % names
        summary = _("Background calls to %(name)s work again, after %(duration)s of failures.") % {
            **names, "duration": duration or "-",
        }
    elif alert == "disabled":
        subject = _("[%(name)s] switched off by staff") % names
        summary = _("%(name)s was switched off by staff; the shop does not offer it until it is enabled.") % names
    else:  # enabled
        subject = _("[%(name)s] switched on by staff") % names
        summary = _("%(name)s was switched back on by staff.") % names
    at = (event.created_at if event is not None else now).isoformat()
    return {
        "alert": alert,
        "subject": subject,
        "summary": summary,
        "provider": provider.name,
        "code": provider.code,
        "kind": provider.kind,
        "from_state": event.from_state if event is not None else "",
        "to_state": event.to_state if event is not None else (OPEN if alert == "reminder" else ""),
        "reason": (event.reason if event is not None else episode.reason if episode is not None else ""),
        "began": began.isoformat() if began else "",
        "at": at,
        "admin_url": settings.SITE_URL.rstrip("/") + "/admin/providers/providerhealth/",
    }


def _what_the_shop_does(provider) -> str:
    seconds = int(cooldown(provider))
    if not has_probe(provider):
        return _(
            "The shop does not call it; after each %(seconds)s s cool-down the next call is let through as a test."
        ) % {"seconds": seconds}
    if provider.kind == Provider.Kind.PAYMENT:
        return _(
            "Checkout no longer offers it. The shop tests it in the background every %(seconds)s s and offers it "
            "again once a test call succeeds."
        ) % {"seconds": seconds}
    return _(
        "The shop does not call it. It is tested in the background every %(seconds)s s and used again once a test "
        "call succeeds."
    ) % {"seconds": seconds}


def _clock(moment):
    return shop_datetime(moment) if moment else "-"  # the shop's zone, named, like every other time staff see


def _duration(span) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return _("%(seconds)s s") % {"seconds": max(0, int(span.total_seconds()))}
    if minutes < 120:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(hours)s h %(minutes)s min") % {"hours": minutes // 60, "minutes": minutes % 60}
