"""Settings of the synthetic checkout probe (steadfast/synthetic/, docs/watch.md)."""

from steadfast.env import env_int, env_url

# Minutes between two synthetic checkout rounds (each enabled payment method and delivery method once); 0 = off.
SYNTHETIC_CHECKOUT_MINUTES = env_int("SYNTHETIC_CHECKOUT_MINUTES", 30, minimum=0)
# Where the probe reaches the storefront over HTTP; empty = SITE_URL (set it when SITE_URL is not reachable from
# the worker, e.g. http://127.0.0.1:8000 behind a proxy).
SYNTHETIC_CHECKOUT_URL = env_url("SYNTHETIC_CHECKOUT_URL", "", schemes=("http", "https"))
