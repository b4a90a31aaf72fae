"""`manage.py check --deploy`: the public demo secret key must never sign anything outside this machine."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

DEMO_KEY_PREFIX = "insecure-demo-key"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@register(Tags.security, deploy=True)
def demo_secret_key_outside_loopback(app_configs, **kwargs):
    host = urlsplit(settings.SITE_URL).hostname or ""
    if settings.SECRET_KEY.startswith(DEMO_KEY_PREFIX) and host not in LOOPBACK:
        return [Error(
            f"SITE_URL={settings.SITE_URL} is not on this machine, but the public demo SECRET_KEY is in use: anyone "
            "can forge sessions, password-reset links and signed order links.",
            hint="Set the environment variable SECRET_KEY to a long random value (python -c 'import secrets; "
                 "print(secrets.token_urlsafe(50))').",
            id="steadfast.E001",
        )]
    return []
