"""The components of the public status page: which rows, their groups, their state and uptime bars."""

from datetime import datetime

from django.utils.translation import gettext as _

from steadfast.providers.models import Provider
from steadfast.shipping.models import DeliveryMethod
from steadfast.status.components import ComponentRow, is_online_payment, provider_health
from steadfast.status.models import Mode
from steadfast.status.uptime import combine, provider_bars, uptime_percent, website_bars

RANK = ["operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"]
STATE_STATUS = {
    "closed": "operational",
    "half_open": "major_outage",  # a trial in flight is not a recovery: out until it succeeded
    "open": "major_outage",
    "disabled": "under_maintenance",
}
MODE_STATUS = {
    Mode.OPEN: "operational",
    Mode.DEGRADED: "degraded_performance",
    Mode.CATALOG_ONLY: "partial_outage",
    Mode.PHONE_ORDERS: "partial_outage",
    Mode.MAINTENANCE: "under_maintenance",
}
# Component id prefix -> group id; the group's name is translated when the snapshot is built.
GROUPS = {"payment-": "payments", "delivery-": "delivery"}


def group_name(group_id):
    return {"payments": _("Payments"), "delivery": _("Delivery")}[group_id]


def worst(statuses):
    return max(statuses, key=RANK.index, default="operational")


def status_label(status):
    return {
        "operational": _("Operational"),
        "degraded_performance": _("Degraded performance"),
        "partial_outage": _("Partial outage"),
        "major_outage": _("Major outage"),
        "under_maintenance": _("Under maintenance"),
    }[status]


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
        row = ComponentRow(cid, name, worst(statuses), since, [p.id for p in members], description)
        row.providers = members  # for "is there anything outside to check" (offline methods: no)
        return row

    rows = [ComponentRow("website", _("Website and ordering"), MODE_STATUS[mode.mode], None, [])]
    for p in providers:
        if p.kind == Provider.Kind.PAYMENT:
            row = row_for(f"payment-{p.code}", _("Payment: %(name)s") % {"name": _(p.name)}, [p])
            row.description = _(p.name)  # the short name, shown inside the Payments group
            rows.append(row)
    for m in methods:
        row = row_for(
            f"delivery-{m.code}", _("Delivery: %(name)s") % {"name": _(m.name)}, [m.provider] if m.provider else []
        )
        row.description = _(m.name)
        rows.append(row)
    rows.append(
        row_for("messages", _("E-mail and text messages"), [p for p in providers if p.kind == Provider.Kind.NOTIFY])
    )
    accounting = [p for p in providers if p.kind == Provider.Kind.ACCOUNTING]
    if accounting:
        rows.append(row_for("accounting", _("Accounting"), accounting))
    checkout = checkout_row()
    if checkout:
        rows.insert(1, checkout)
    return rows


def checkout_bars(days, now) -> list:
    """Per UTC day (oldest first): the share of synthetic checkouts that passed, None on a day with none."""
    from datetime import UTC, time, timedelta

    from django.db.models import Count, Q
    from django.db.models.functions import TruncDate

    from steadfast.synthetic.models import SyntheticRun

    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, tzinfo=UTC)
    rows = (SyntheticRun.objects.filter(finished_at__gte=since)
            .annotate(day=TruncDate("finished_at", tzinfo=UTC)).values("day")
            .annotate(n=Count("pk"), passed=Count("pk", filter=Q(ok=True))))
    by_day = {row["day"]: row["passed"] / row["n"] for row in rows}
    return [by_day.get(first + timedelta(days=i)) for i in range(days)]


def checkout_row():
    """The synthetic checkout's last results (steadfast/synthetic/): a row only once it has run."""
    from steadfast.synthetic.services import checkout_health

    health = checkout_health()
    if not health:
        return None
    failed, runs = len(health["failed"]), health["runs"]
    status = "operational" if not failed else "major_outage" if failed == runs else "partial_outage"
    return ComponentRow("checkout", _("Checkout (test purchase)"), status,
                        datetime.fromisoformat(health["checked_at"]), [])


def group_of(component_id):
    return next((group for prefix, group in GROUPS.items() if component_id.startswith(prefix)), None)


def uptime_for_rows(rows, days, now) -> dict[str, list]:
    """Per component id, one {"value", "maintenance"} per day (oldest first), or [] when nothing was measured."""
    per_provider = provider_bars(sorted({pid for row in rows for pid in row.provider_ids}), days, now)
    website_values, website_maintenance = website_bars(days, now)
    result = {}
    for row in rows:
        if row.id == "website":
            values, maintenance = website_values, website_maintenance
        elif row.id == "checkout":
            values, maintenance = checkout_bars(days, now), [False] * days
        else:
            values = combine([per_provider[pid] for pid in row.provider_ids]) if row.provider_ids else [None] * days
            maintenance = [False] * days
        if all(v is None for v in values):
            result[row.id] = []
        else:
            result[row.id] = [{"value": v, "maintenance": m} for v, m in zip(values, maintenance, strict=True)]
    return result


def components_serialize(rows, uptime, now_iso) -> tuple[list, list]:
    """(components, groups) as JSON-ready dicts, in page order: ungrouped rows and groups by first appearance."""
    components, groups = [], {}
    checked = {row.id for row in rows if any(is_online_payment(p) for p in getattr(row, "providers", []))}
    for position, row in enumerate(rows, start=1):
        bars = uptime[row.id]
        group = group_of(row.id)
        components.append(
            {
                "id": row.id,
                "name": str(row.name),
                "short_name": str(row.description or row.name),
                "status": row.status,
                "status_label": status_label(row.status),
                "updated_at": row.updated_at.isoformat() if row.updated_at else now_iso,
                "position": position,
                "group_id": group,
                "uptime": bars,
                # Nothing outside the shop to check (cash on delivery, own courier): no bars will ever come.
                "checked": row.id in ("website", "checkout") or row.id in checked,
                "uptime_pct": uptime_percent([b["value"] for b in bars]) if bars else None,
            }
        )
        if group and group not in groups:
            groups[group] = {"id": group, "name": str(group_name(group)), "position": position, "components": []}
        if group:
            groups[group]["components"].append(row.id)
    by_id = {c["id"]: c for c in components}
    for group in groups.values():
        members = [by_id[cid] for cid in group["components"]]
        group["status"] = worst(c["status"] for c in members)
        group["status_label"] = status_label(group["status"])
        group["updated_at"] = max(c["updated_at"] for c in members)
    return components, list(groups.values())
