from datetime import datetime, timedelta

from django import template

register = template.Library()


@register.filter
def iso(value):
    """The snapshot stores times as ISO strings (it is JSON); turn them back into datetimes for |date."""
    if not value:
        return None
    return datetime.fromisoformat(value)


@register.filter
def uptime_class(day):
    """A bar's colour: no data (grey), maintenance (blue), or how much of the day it worked."""
    value = day["value"] if isinstance(day, dict) else day
    if value is None:
        return "nodata"
    if isinstance(day, dict) and day.get("maintenance") and value < 0.999:
        return "maint"
    if value >= 0.999:
        return "up"
    if value >= 0.95:
        return "partial"
    return "down"


@register.filter
def days_ago(count, generated_at):
    """The date `count` days before the snapshot's day (bars are oldest first; revcounter0 counts back)."""
    return iso(generated_at) - timedelta(days=count)


@register.filter
def page_layout(snapshot):
    """Components in page order, each group once at its first member's place with its members."""
    groups = {g["id"]: g for g in snapshot.get("groups", [])}
    seen, entries = set(), []
    for component in snapshot["components"]:
        group_id = component.get("group_id")
        if group_id is None or group_id not in groups:
            entries.append({"component": component})
        elif group_id not in seen:
            seen.add(group_id)
            members = [c for c in snapshot["components"] if c.get("group_id") == group_id]
            entries.append({"group": groups[group_id], "members": members})
    return entries


@register.filter
def announced(maintenances):
    """Windows to announce on the front page: coming up or running, soonest first."""
    pending = [m for m in maintenances or [] if m["status"] in ("scheduled", "in_progress")]
    return sorted(pending, key=lambda m: m["scheduled_for"])


@register.filter
def finished(maintenances):
    return [m for m in maintenances or [] if m["status"] in ("completed", "cancelled")]


@register.filter
def add_month(incidents):
    """Each incident with a "month" key (YYYY-MM) for {% regroup %}."""
    return [{**i, "month": i["created_at"][:7]} for i in incidents]


@register.filter
def component_names(ids, snapshot):
    names = {c["id"]: c["name"] for c in snapshot["components"]}
    return [names.get(cid, cid) for cid in ids]
