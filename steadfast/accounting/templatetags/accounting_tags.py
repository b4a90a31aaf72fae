from django import template

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
    """A backlog's age as staff read it: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    if delta is None:
        return ""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
