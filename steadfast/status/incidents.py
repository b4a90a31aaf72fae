"""Incidents: opened by staff or by the health check, updated publicly.

Automatic ones (one per provider) open as soon as its breaker opens (status.signals runs incidents_sync on every
breaker transition; INCIDENT_AFTER_SECONDS can ask for a delay, then the minute tick opens it), start at the
provider's first failed call rather than at the breaker's decision, say in words what happened and what still
works, and are resolved when the provider works again (a successful trial closes its breaker). A trial that fails
is not news: the incident stays as it is."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.notify.alerts import staff_alert_add
from steadfast.providers.health import failure_in_words, failures_began
from steadfast.providers.models import HealthEvent, Provider
from steadfast.providers.selectors import providers_available
from steadfast.shipping.models import DeliveryMethod
from steadfast.shoptime import shop_datetime
from steadfast.status.components import is_online_payment, out_since, provider_health
from steadfast.status.models import Impact, Incident, IncidentStatus, IncidentUpdate, Mode
from steadfast.status.selectors import current_mode, policies_holding_mode
from steadfast.status.services import shop_mode_set
from steadfast.status.snapshot import snapshot_clear
from steadfast.status.subscribers import subscribers_notify


def incident_open(
    title, message, components=(), impact=Impact.MINOR, eta=None, author="", provider=None, automatic=False
) -> Incident:
    if not title.strip() or not message.strip():
        raise ValidationError(_("An incident needs a title and a public message."))
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title, impact=impact, components=list(components), eta=eta, provider=provider, automatic=automatic
        )
        update = IncidentUpdate.objects.create(
            incident=incident, status=IncidentStatus.INVESTIGATING, message=message, eta=eta, author=author
        )
        subscribers_notify(incident, update)
        transaction.on_commit(snapshot_clear)
    snapshot_clear()
    return incident


def incident_staff_alert(incident, update) -> None:
    """Staff opened an incident by hand: the rest of the staff hear of it through the staff chain, in the
    transaction that writes it. (An automatic incident opens with its provider's breaker, whose staff alert
    already went out: a second message about the same outage would be noise.)"""
    site = settings.SITE_URL.rstrip("/")
    staff_alert_add(key=f"staff_incident:{incident.pk}", kind="staff_incident", payload={
        "id": incident.pk, "title": incident.title, "impact": incident.impact, "components": incident.components,
        "message": update.message, "author": update.author, "at": incident.created_at.isoformat(),
        "admin_url": site + reverse("admin:status_incident_change", args=[incident.pk]),
        "status_url": site + reverse("status:page"),
    })


def incident_update(incident, status, message, eta=None, author="") -> IncidentUpdate:
    if status not in IncidentStatus.values:
        raise ValidationError(_("Unknown incident status %(status)s.") % {"status": status})
    if not message.strip():
        raise ValidationError(_("An update needs a public message."))
    with transaction.atomic():
        update = IncidentUpdate.objects.create(
            incident=incident, status=status, message=message, eta=eta, author=author
        )
        incident_apply_status(incident, status, eta)
        subscribers_notify(incident, update)
        transaction.on_commit(snapshot_clear)
    snapshot_clear()
    return update


def incident_apply_status(incident, status, eta=None):
    """Keep the incident's own status, ETA and resolved time in step with its latest update."""
    incident.status = status
    if eta is not None:
        incident.eta = eta
    incident.resolved_at = timezone.now() if status == IncidentStatus.RESOLVED else None
    incident.save(update_fields=["status", "eta", "resolved_at", "updated_at"])


def components_of(provider) -> list[str]:
    if provider.kind == Provider.Kind.PAYMENT:
        return [f"payment-{provider.code}"]
    if provider.kind == Provider.Kind.SHIPPING:
        return [f"delivery-{m.code}" for m in DeliveryMethod.objects.filter(provider=provider)]
    if provider.kind == Provider.Kind.NOTIFY:
        return ["messages"]
    return ["accounting"]


def incidents_sync(now=None) -> dict:
    """Open an incident for each provider out longer than INCIDENT_AFTER_SECONDS (one open incident per
    provider), and resolve automatic incidents whose provider works again."""
    now = now or timezone.now()
    after = timedelta(seconds=settings.INCIDENT_AFTER_SECONDS)
    providers = list(Provider.objects.filter(enabled=True))
    health = provider_health(providers)
    open_by_provider = {
        i.provider_id: i
        for i in Incident.objects.filter(provider__in=providers).exclude(status=IncidentStatus.RESOLVED)
    }
    done = {"opened": [], "recovered": [], "reopened": []}
    covered = _covered_by_policy_incidents()
    for provider in providers:
        incident = open_by_provider.get(provider.id)
        if health[provider.id].out:
            since = out_since(provider)
            if incident is None and since is not None and now - since >= after:
                if set(components_of(provider)) <= covered:
                    continue  # a policy's open incident already tells customers: one outage, one incident
                if _open_for_provider(provider, since):
                    done["opened"].append(provider.code)
            elif incident is not None and incident.automatic and incident.status == IncidentStatus.MONITORING:
                incident_update(
                    incident,
                    IncidentStatus.INVESTIGATING,
                    _("%(name)s is unavailable again.") % {"name": provider.name},
                    author="health check",
                )
                done["reopened"].append(provider.code)
        elif incident is not None and incident.automatic:
            incident_update(incident, IncidentStatus.RESOLVED, _recovered_message(provider, incident, now),
                            author="health check")
            done["recovered"].append(provider.code)
    _resolve_for_disabled_providers(now)
    _mode_follow_health(any(h.out for h in health.values()))
    return done


def _resolve_for_disabled_providers(now):
    """Staff switched a broken provider off: its automatic incident would otherwise stay open for good (the
    status page shows the component "under maintenance" instead)."""
    rows = Incident.objects.filter(automatic=True, provider__enabled=False).exclude(status=IncidentStatus.RESOLVED)
    for incident in rows.select_related("provider"):
        message = _("%(name)s was switched off by staff; other options still work.") % {"name": incident.provider.name}
        incident_update(incident, IncidentStatus.RESOLVED, message, author="health check")


def _covered_by_policy_incidents() -> set:
    """Components named by open incidents that policies opened (automatic, not tied to one provider)."""
    rows = Incident.objects.filter(automatic=True, provider__isnull=True).exclude(status=IncidentStatus.RESOLVED)
    return {c for components in rows.values_list("components", flat=True) for c in components}


def _open_for_provider(provider, since) -> bool:
    began = failures_began(provider, since) or since
    title = _("%(name)s is unavailable") % {"name": provider.name}
    message = _("%(name)s has not been working since %(since)s: %(what)s.") % {
        "name": provider.name,
        "since": shop_datetime(began),
        "what": failure_in_words(_opening_reason(provider)),
    }
    message = f"{message} {_what_still_works(provider)}"
    impact = Impact.MAJOR if provider.kind == Provider.Kind.PAYMENT else Impact.MINOR
    try:
        with transaction.atomic():
            incident = incident_open(
                title,
                message,
                components_of(provider),
                impact,
                author="health check",
                provider=provider,
                automatic=True,
            )
            # The incident starts when customers could first have noticed, not when the breaker decided.
            Incident.objects.filter(pk=incident.pk, created_at__gt=began).update(created_at=began)
    except IntegrityError:  # another worker opened it a moment ago: one open incident per provider
        return False
    return True


def _opening_reason(provider) -> str:
    event = HealthEvent.objects.filter(provider=provider, from_state="closed", to_state="open").order_by(
        "-created_at", "-id"
    ).first()
    return event.reason if event is not None else ""


def _what_still_works(provider) -> str:
    if provider.kind == Provider.Kind.PAYMENT:
        others = [p for p in providers_available(Provider.Kind.PAYMENT) if p.id != provider.id]
        if others:
            online = [p for p in others if is_online_payment(p)]
            names = ", ".join(_(p.name) for p in online + [p for p in others if p not in online])
            return _("You can still order and pay with %(methods)s; we are on it.") % {"methods": names}
        return _("Please call us to order; we are on it.")
    return _("Other options still work; we are on it.")


def _recovered_message(provider, incident, now) -> str:
    minutes = max(1, round((now - incident.created_at).total_seconds() / 60))
    return _("%(name)s works again since %(at)s (unavailable for about %(minutes)s min). Resolved.") % {
        "name": provider.name,
        "at": shop_datetime(now),
        "minutes": minutes,
    }


def _mode_follow_health(any_out):
    """Open <-> degraded follows provider health; a mode staff chose by hand is never overridden."""
    mode = current_mode()
    if any_out and mode.mode == Mode.OPEN:
        shop_mode_set(Mode.DEGRADED, actor="health check", automatic=True, reason=_("A provider is out of service."))
    elif not any_out and mode.mode == Mode.DEGRADED and mode.automatic and not policies_holding_mode():
        shop_mode_set(Mode.OPEN, actor="health check", reason=_("All providers work again."))
