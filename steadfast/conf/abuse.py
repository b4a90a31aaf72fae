"""Abuse resistance (steadfast/security, checkout/limits.py, docs/security.md): rate limits and stock-hoarding
limits."""

from steadfast.env import env_bool, env_decimal, env_int, env_str

RATELIMIT_LOGIN = env_str("RATELIMIT_LOGIN", "10/m")
RATELIMIT_PLACE_ORDER = env_str("RATELIMIT_PLACE_ORDER", "20/m")
# Guest order lookups and e-mail confirmation re-sends (each sends an e-mail), per IP / per account.
RATELIMIT_ORDER_LOOKUP = env_str("RATELIMIT_ORDER_LOOKUP", "5/m")
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_VIEW = "steadfast.storefront.views.rate_limited"
# A cache outage must not stop checkout: without the counters, requests are let through (and logged by Django).
RATELIMIT_FAIL_OPEN = True
RATELIMIT_USE_CACHE = "lenient"
RATELIMIT_PASSWORD_RESET_EMAIL = env_str("RATELIMIT_PASSWORD_RESET_EMAIL", "3/h")
RATELIMIT_PASSWORD_RESET_IP = env_str("RATELIMIT_PASSWORD_RESET_IP", "10/h")
RATELIMIT_SIGNUP = env_str("RATELIMIT_SIGNUP", "5/h")

# Stock hoarding (checkout/limits.py): limits for customers who have not verified an e-mail (guests).
ORDER_MAX_LINES = env_int("ORDER_MAX_LINES", 50, 1)
ORDER_MAX_QUANTITY_PER_LINE = env_int("ORDER_MAX_QUANTITY_PER_LINE", 10, 1)
ORDER_MAX_VALUE_UNVERIFIED = env_decimal("ORDER_MAX_VALUE_UNVERIFIED", "2000")  # 0: no limit
ORDER_MAX_OPEN_UNPAID = env_int("ORDER_MAX_OPEN_UNPAID", 3, 1)
# A guest's cash-on-delivery or bank-transfer order holds stock this long unless confirmed (e-mail link or staff).
OFFLINE_CONFIRM_MINUTES = env_int("OFFLINE_CONFIRM_MINUTES", 120, 0)
RESERVATION_ALERT_UNITS = env_int("RESERVATION_ALERT_UNITS", 20, 1)
# Webhook deliveries per provider and source address (payments/webhook_guard.py).
RATELIMIT_WEBHOOK = env_str("RATELIMIT_WEBHOOK", "120/m")
