"""|shop_datetime and |shop_date (steadfast.shoptime), built into every template (settings.TEMPLATES builtins)."""

from django import template

from steadfast import shoptime

register = template.Library()
register.filter("shop_datetime", shoptime.shop_datetime)
register.filter("shop_date", shoptime.shop_date)
