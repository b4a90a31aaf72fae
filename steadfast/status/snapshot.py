"""One JSON-ready snapshot of the shop's state: the status page, the JSON API, the feed and the export render it.

It is cached briefly, and the last good copy is kept without expiry so the page still renders when the
database is unreachable.
"""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from steadfast.cachesafe import lenient_cache as cache
from steadfast.providers.models import Provider
from steadfast.shipping.models import DeliveryMethod
from steadfast.status.components import ComponentRow, provider_health, uptime_days
from steadfast.status.models import Incident, IncidentStatus, Mode
from steadfast.status.selectors import current_mode

SNAPSHOT_SECONDS = 15
UPTIME_DAYS = 90
RANK = ["operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"]
STATE_STATUS = {
    "closed": "operational",
    "half_open": "major_outage",  # a trial in flight is not a recovery: out until it succeeded
    "open": "major_outage",
    "disabled": "under_maintenance",
}
IMPACT_STATUS = {
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
}
INDICATORS = ["none", "minor", "major", "critical"]
MODE_STATUS = {
    Mode.OPEN: "operational",
    Mode.DEGRADED: "degraded_performance",
    Mode.CATALOG_ONLY: "partial_outage",
    Mode.PHONE_ORDERS: "partial_outage",
    Mode.MAINTENANCE: "under_maintenance",
}


def status_label(status):
    return {
        "operational": _("Operational"),
        "degraded_performance": _("Degraded performance"),
        "partial_outage": _("Partial outage"),
        "major_outage": _("Major outage"),
        "under_maintenance": _("Under maintenance"),
    }[status]


def indicator_description(indicator):
    return {
        "none": _("All systems operational"),
        "minor": _("Minor service outage"),
        "major": _("Partial system outage"),
        "critical": _("Major service outage"),
        "maintenance": _("Service under maintenance"),
    }[indicator]


def _worst(statuses):
    return max(statuses, key=RANK.index, default="operational")


def _iso(value):
    return value.isoformat() if value else None


def components_build(mode, now):
    providers = list(Provider.objects.filter(enabled=True))
    methods = list(DeliveryMethod.objects.filter(enabled=True).select_related("provider"))
    health = provider_health(providers + [m.provider for m in methods if m.provider and not m.provider.enabled])

    def row_for(cid, name, members, description=""):
        states = [health[p.id] for p in members if p.id in health]
        statuses = [STATE_STATUS.get(h.state, "operational") for h in states]
        if len(statuses) > 1 and "major_outage" in statuses and not all(s == "major_outage" for s in statuses):
            statuses = ["partial_outage"]  # some of several channels out: the component still works
        since = max((h.since for h in states if h.since), default=None)
        return ComponentRow(cid, name, _worst(statuses), since, [p.id for p in members], description)

    rows = [ComponentRow("website", _("Website and ordering"), MODE_STATUS[mode.mode], None, [])]
    for p in providers:
        if p.kind == Provider.Kind.PAYMENT:
            rows.append(row_for(f"payment-{p.code}", _("Payment: %(name)s") % {"name": _(p.name)}, [p]))
    for m in methods:
        rows.append(
            row_for(
                f"delivery-{m.code}", _("Delivery: %(name)s") % {"name": _(m.name)}, [m.provider] if m.provider else []
            )
        )
    rows.append(
        row_for("messages", _("E-mail and text messages"), [p for p in providers if p.kind == Provider.Kind.NOTIFY])
    )
    accounting = [p for p in providers if p.kind == Provider.Kind.ACCOUNTING]
    if accounting:
        rows.append(row_for("accounting", _("Accounting"), accounting))
    return rows


def _incident_dict(incident):
    updates = list(incident.updates.all())
    monitoring = [u.created_at for u in updates if u.status == IncidentStatus.MONITORING]
    return {
        "id": str(incident.id),
        "name": incident.title,
        "status": incident.status,
        "status_label": str(incident.get_status_display()),
        "impact": incident.impact,
        "created_at": _iso(incident.created_at),
        "updated_at": _iso(incident.updated_at),
        "resolved_at": _iso(incident.resolved_at),
        "monitoring_at": _iso(max(monitoring, default=None)),
        "eta": _iso(incident.eta),
        "postmortem": incident.postmortem,
        "components": list(incident.components or []),
        "updates": [
            {
                "id": str(u.id),
                "status": u.status,
                "status_label": str(u.get_status_display()),
                "body": u.message,
                "created_at": _iso(u.created_at),
                "eta": _iso(u.eta),
            }
            for u in updates
        ],
    }


def snapshot_build(now=None) -> dict:
    now = now or timezone.now()
    mode = current_mode(now)
    rows = components_build(mode, now)
    open_incidents = list(Incident.objects.exclude(status=IncidentStatus.RESOLVED).prefetch_related("updates"))
    past = list(
        Incident.objects.filter(
            status=IncidentStatus.RESOLVED, created_at__gte=now - timedelta(days=UPTIME_DAYS)
        ).prefetch_related("updates")[:20]
    )
    # An incident still being worked on marks the components it names at least as bad as its impact;
    # once it is monitoring, the components show their own (recovered) state.
    for incident in open_incidents:
        if incident.status == IncidentStatus.MONITORING:
            continue
        for row in rows:
            if row.id in (incident.components or []):
                row.status = _worst([row.status, IMPACT_STATUS[incident.impact]])
                row.updated_at = max(filter(None, [row.updated_at, incident.updated_at]))
    uptime = uptime_days(sorted({pid for row in rows for pid in row.provider_ids}), UPTIME_DAYS, now)
    components = []
    for position, row in enumerate(rows, start=1):
        days = [uptime[pid] for pid in row.provider_ids]
        bars = [round(sum(day) / len(day), 4) for day in zip(*days, strict=True)] if days else [1.0] * UPTIME_DAYS
        components.append(
            {
                "id": row.id,
                "name": str(row.name),
                "status": row.status,
                "status_label": status_label(row.status),
                "updated_at": _iso(row.updated_at or now),
                "position": position,
                "uptime": bars,
                "uptime_pct": round(100 * sum(bars) / len(bars), 2),
            }
        )
    indicator = _indicator(mode, components, open_incidents)
    return {
        "generated_at": _iso(now),
        "shop_name": settings.SHOP_NAME,
        "site_url": settings.SITE_URL,
        "shop_phone": settings.SHOP_PHONE,
        "shop_email": settings.SHOP_EMAIL,
        "mode": {"mode": mode.mode, "label": str(mode.label), "message": mode.message, "eta": _iso(mode.eta)},
        "indicator": indicator,
        "description": indicator_description(indicator),
        "components": components,
        "incidents": [_incident_dict(i) for i in open_incidents],
        "past_incidents": [_incident_dict(i) for i in past],
        "stale": False,
    }


def _indicator(mode, components, incidents):
    if mode.mode == Mode.MAINTENANCE:
        return "maintenance"
    level = 0
    for component in components:
        if component["status"] in ("degraded_performance", "partial_outage"):
            level = max(level, 1)
        elif component["status"] == "major_outage":
            level = max(level, 2)
    payments = [c for c in components if c["id"].startswith("payment-")]
    if payments and all(c["status"] == "major_outage" for c in payments):
        level = 3  # nobody can pay at all
    for incident in incidents:
        if incident.status != IncidentStatus.MONITORING:
            level = max(level, INDICATORS.index(incident.impact))
    return INDICATORS[level]


def _keys():
    language = get_language() or settings.LANGUAGE_CODE
    return f"status:snapshot:v1:{language}", f"status:snapshot:last:{language}"


# Last good snapshot per language in this process: the fallback when the cache is the database and it is down.
_last_good: dict[str, dict] = {}


def _cache_get(key):
    try:
        return cache.get(key)
    except DatabaseError:  # the database cache shares the database's fate
        return None


def snapshot_get() -> dict:
    key, last_key = _keys()
    data = _cache_get(key)
    if data is not None:
        return data
    try:
        data = snapshot_build()
    except DatabaseError:
        last = _cache_get(last_key) or _last_good.get(last_key)
        if last is None:
            raise
        return {**last, "stale": True}
    _last_good[last_key] = data
    try:
        cache.set(key, data, SNAPSHOT_SECONDS)
        cache.set(last_key, data, None)
    except DatabaseError:
        pass  # serving the fresh snapshot matters more than caching it
    return data


def snapshot_clear():
    for code, _name in settings.LANGUAGES:
        cache.delete(f"status:snapshot:v1:{code}")
