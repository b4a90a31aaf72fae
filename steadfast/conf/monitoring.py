"""Settings of issue 15's monitoring: the synthetic checkout probe (steadfast/synthetic/) and the Prometheus
endpoint /metrics (steadfast/metrics/); docs/watch.md."""

from django.core.exceptions import ImproperlyConfigured

from steadfast.env import env_int, env_networks, env_str, env_url

# Minutes between two synthetic checkout rounds (each enabled payment method and delivery method once); 0 = off.
SYNTHETIC_CHECKOUT_MINUTES = env_int("SYNTHETIC_CHECKOUT_MINUTES", 30, minimum=0)
# Where the probe reaches the storefront over HTTP; empty = SITE_URL (set it when SITE_URL is not reachable from
# the worker, e.g. http://127.0.0.1:8000 behind a proxy).
SYNTHETIC_CHECKOUT_URL = env_url("SYNTHETIC_CHECKOUT_URL", "", schemes=("http", "https"))

# Bearer token a scraper sends (Authorization: Bearer <token>); at least 24 characters. Empty with no allowed
# addresses below: /metrics answers 404 (off).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Addresses or networks allowed without a token (e.g. the Prometheus server), comma-separated (10.0.0.5,
# 192.168.1.0/24); the client address is the one steadfast.security.clientip sees (behind a trusted proxy, the
# forwarded one).
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS")
if METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("Environment variable METRICS_TOKEN is invalid: expected at least 24 characters.")
