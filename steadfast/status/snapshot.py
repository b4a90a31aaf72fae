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
from steadfast.status.maintenance import maintenances_for_page
from steadfast.status.models import Incident, IncidentStatus, Mode
from steadfast.status.page_components import components_build, components_serialize, uptime_for_rows, worst
from steadfast.status.selectors import current_mode

SNAPSHOT_SECONDS = 15
UPTIME_DAYS = 90
PAST_INCIDENTS = 50  # incidents.json and the history page; the front page shows the last RECENT_DAYS of them
RECENT_DAYS = 14
IMPACT_STATUS = {
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
}
INDICATORS = ["none", "minor", "major", "critical"]


def indicator_description(indicator):
    return {
        "none": _("All systems operational"),
        "minor": _("Minor service outage"),
        "major": _("Partial system outage"),
        "critical": _("Major service outage"),
        "maintenance": _("Service under maintenance"),
        "unreachable": _("Our website is not answering"),
    }[indicator]


def _iso(value):
    return value.isoformat() if value else None


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


def snapshot_build(now=None, origin_down_since=None) -> dict:
    """The state of everything the status page shows. `origin_down_since`: set by the export when its own check
    found the website not answering (the live page is only ever built by a website that answers)."""
    now = now or timezone.now()
    mode = current_mode(now)
    rows = components_build(mode, now)
    open_incidents = list(Incident.objects.exclude(status=IncidentStatus.RESOLVED).prefetch_related("updates"))
    past = list(Incident.objects.filter(status=IncidentStatus.RESOLVED).prefetch_related("updates")[:PAST_INCIDENTS])
    maintenances = maintenances_for_page(now)
    # An incident still being worked on marks the components it names at least as bad as its impact;
    # once it is monitoring, the components show their own (recovered) state.
    for incident in open_incidents:
        if incident.status == IncidentStatus.MONITORING:
            continue
        for row in rows:
            if row.id in (incident.components or []):
                row.status = worst([row.status, IMPACT_STATUS[incident.impact]])
                row.updated_at = max(filter(None, [row.updated_at, incident.updated_at]))
    for window in maintenances:
        if window["status"] == "in_progress":
            for row in rows:
                if row.id in window["components"]:
                    row.status = worst([row.status, "under_maintenance"])
    if origin_down_since is not None:
        website = rows[0]
        website.status, website.updated_at = "major_outage", origin_down_since
    uptime = uptime_for_rows(rows, UPTIME_DAYS, now)
    components, groups = components_serialize(rows, uptime, _iso(now))
    indicator = _indicator(mode, components, open_incidents)
    recent = now - timedelta(days=RECENT_DAYS)
    past_dicts = [_incident_dict(i) for i in past]
    return {
        "generated_at": _iso(now),
        "shop_name": settings.SHOP_NAME,
        "site_url": settings.SITE_URL,
        "shop_phone": settings.SHOP_PHONE,
        "shop_email": settings.SHOP_EMAIL,
        "mode": {"mode": mode.mode, "label": str(mode.label), "message": mode.message, "eta": _iso(mode.eta)},
        "indicator": "critical" if origin_down_since else indicator,
        "description": indicator_description("unreachable" if origin_down_since else indicator),
        "origin_down_since": _iso(origin_down_since),
        "components": components,
        "groups": groups,
        "incidents": [_incident_dict(i) for i in open_incidents],
        "past_incidents": past_dicts,
        "recent_past_incidents": [i for i in past_dicts if i["created_at"] >= _iso(recent)],
        "maintenances": maintenances,
        "stale": False,
        "synthetic_checkout": _checkout_health(),
    }


def _checkout_health():
    from steadfast.synthetic.services import checkout_health  # synthetic/ builds on checkout, which reads status

    return checkout_health()


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


SNAPSHOT_KEY = "status:snapshot:v2:{language}"


def _keys():
    language = get_language() or settings.LANGUAGE_CODE
    return SNAPSHOT_KEY.format(language=language), f"status:snapshot:last:v2:{language}"


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
        cache.delete(SNAPSHOT_KEY.format(language=code))
