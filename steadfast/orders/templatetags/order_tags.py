from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from steadfast.orders.models import OrderStatus
from steadfast.orders.services import CUSTOMER, SYSTEM

register = template.Library()


@register.filter
def actor_label(actor: str) -> str:
    """Who did it, as the customer reads it: their own actions, the shop's staff, or the system."""
    if actor == CUSTOMER or actor.startswith(f"{CUSTOMER}:"):
        return _("You")
    if actor == SYSTEM:
        return _("System")
    return _("Shop")


@register.simple_tag
def order_link(order=None, token=""):
    """Absolute link to the order page, for e-mails (settings.SITE_URL is the shop's public address)."""
    path = order.get_absolute_url() if order is not None else reverse("orders:detail", args=[token])
    return settings.SITE_URL.rstrip("/") + path


@register.filter
def status_label(value: str) -> str:
    try:
        return OrderStatus(value).label
    except ValueError:
        return value
