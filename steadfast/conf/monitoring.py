"""Settings of issue 15's monitoring: the synthetic checkout probe (steadfast/synthetic/) and the Prometheus
endpoint /metrics (steadfast/metrics/); docs/watch.md."""

from django.core.exceptions import ImproperlyConfigured

from steadfast.env import env_bool, env_int, env_list, env_networks, env_str, env_url

# Minutes between two synthetic checkout rounds (each enabled payment method and delivery method once); 0 = off.
SYNTHETIC_CHECKOUT_MINUTES = env_int("SYNTHETIC_CHECKOUT_MINUTES", 30, minimum=0)
# Online gateways in test mode (test keys, sandbox, the fakes): pay the gateway's page, then refund the payment
# through the shop's refund path (synthetic/paying.py). Off: every online gateway stops at its page. A live account is
# never paid, whatever this says.
SYNTHETIC_CHECKOUT_PAY = env_bool("SYNTHETIC_CHECKOUT_PAY", True)
# Where the probe reaches the storefront over HTTP; empty = SITE_URL (set it when SITE_URL is not reachable from
# the worker, e.g. http://127.0.0.1:8000 behind a proxy).
SYNTHETIC_CHECKOUT_URL = env_url("SYNTHETIC_CHECKOUT_URL", "", schemes=("http", "https"))
# Where the probe's parcel "goes", per country: a real postcode and town, because carriers price it and list their
# pickup points there ("PL/00-017/Warszawa, RU/125009/Moscow"). A country left out: its example postcode and "Test".
SYNTHETIC_CHECKOUT_PLACES = {}
for _place in env_list("SYNTHETIC_CHECKOUT_PLACES"):
    _parts = [part.strip() for part in _place.split("/")]
    if len(_parts) != 3 or len(_parts[0]) != 2 or not _parts[0].isalpha() or not all(_parts):
        raise ImproperlyConfigured(f"Environment variable SYNTHETIC_CHECKOUT_PLACES={_place!r} is invalid: "
                                   "expected COUNTRY/POSTCODE/TOWN entries separated by commas.")
    SYNTHETIC_CHECKOUT_PLACES[_parts[0].upper()] = (_parts[1], _parts[2])

# Bearer token a scraper sends (Authorization: Bearer <token>); at least 24 characters. Empty with no allowed
# addresses below: /metrics answers 404 (off).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Addresses or networks allowed without a token (e.g. the Prometheus server), comma-separated (10.0.0.5,
# 192.168.1.0/24); the client address is the one steadfast.security.clientip sees (behind a trusted proxy, the
# forwarded one).
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS")
if METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("Environment variable METRICS_TOKEN is invalid: expected at least 24 characters.")
