"""Template helpers for the staff back office (Django admin)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from steadfast.orders.dashboard import dashboard_figures
from steadfast.orders.models import OrderStatus
from steadfast.orders.outage import outage_overview
from steadfast.status.banner import banner_for

register = template.Library()


@register.filter
def status_badge(status):
    """A coloured badge for an order status; the colours live in admin/base_site.html."""
    try:
        label = OrderStatus(status).label
    except ValueError:
        label = status
    return format_html('<span class="sf-badge sf-status-{}">{}</span>', status, label)


@register.simple_tag(takes_context=True)
def staff_dashboard(context):
    """Dashboard figures for staff who may see orders; None for everyone else (the template then shows nothing)."""
    request = context.get("request")
    if request is None or not request.user.has_perm("orders.view_order"):
        return None
    return dashboard_figures()


@register.simple_tag(takes_context=True)
def staff_outage(context):
    """What is broken now and what the shop does about it, for staff who may see orders; None for everyone else."""
    request = context.get("request")
    if request is None or not request.user.has_perm("orders.view_order"):
        return None
    return {"outage": outage_overview(), "banner": banner_for(request)}


@register.filter
def provider_state_badge(state):
    """Breaker state as a coloured badge (colours in admin/base_site.html)."""
    labels = {"closed": _("Working"), "open": _("Out of service"), "half_open": _("Testing recovery"),
              "disabled": _("Disabled by staff")}
    return format_html('<span class="sf-badge sf-provider-{}">{}</span>', state, labels.get(state, state))


@register.simple_tag
def order_list_url(**params):
    """The admin order list with filters applied, e.g. {% order_list_url todo="ship" %}."""
    url = reverse("admin:orders_order_changelist")
    return f"{url}?{urlencode(params)}" if params else url


@register.simple_tag(takes_context=True)
def staff_background(context):
    """Worker/scheduler heartbeats and the last synthetic checkouts, for staff who may see orders."""
    from datetime import datetime

    from steadfast.heartbeat.beats import KINDS, heartbeats_status
    from steadfast.synthetic.services import checkout_health

    request = context.get("request")
    if request is None or not request.user.has_perm("orders.view_order"):
        return None
    beats = heartbeats_status()
    rows = [{"kind": kind, "label": {"scheduler": _("Scheduler"), "worker": _("Worker")}[kind],
             **beats.get(kind, {"ok": False, "last_beat": None, "age_seconds": None})} for kind in KINDS]
    for row in rows:
        row["last"] = datetime.fromisoformat(row["last_beat"]) if row.get("last_beat") else None
    checkout = checkout_health()
    if checkout:
        checkout["checked"] = datetime.fromisoformat(checkout["checked_at"])
    return {"beats": rows, "beats_ok": beats["ok"], "stale_after": beats["stale_after_seconds"],
            "checkout": checkout}
