from datetime import datetime

from django import template

register = template.Library()


@register.filter
def iso(value):
    """The snapshot stores times as ISO strings (it is JSON); turn them back into datetimes for |date."""
    if not value:
        return None
    return datetime.fromisoformat(value)


@register.filter
def uptime_class(value):
    if value >= 0.999:
        return "up"
    if value >= 0.95:
        return "partial"
    return "down"
