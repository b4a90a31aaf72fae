from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag(takes_context=True)
def accounting_dashboard(context):
    """Backlog per accounting target for staff who may see it; None when there is none or they may not."""
    from steadfast.accounting.backlog import accounting_backlog, held_stock_imports

    request = context.get("request")
    if request is None or not request.user.has_perm("accounting.view_synctarget"):
        return None
    backlog = accounting_backlog()
    if not backlog:
        return None
    return {"targets": backlog, "held_imports": held_stock_imports(),
            "conflicts": sum(b.conflicts for b in backlog)}


@register.filter
def age_short(delta):
    """A backlog's age as staff read it, in their language: 45 seconds, 12 minutes, 3 hours, 5 minutes, 2 days,
    4 hours (Django's translated timesince, two units at most)."""
    if delta is None:
        return ""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    now = timezone.now()
    return timesince(now - delta, now, depth=2)
