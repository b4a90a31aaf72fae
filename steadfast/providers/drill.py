"""Fire drills (demo and staging): staff switch a loopback fake into an outage to watch the shop route around it.

The fault goes to the fake's control endpoint (POST {api_base}/__fault__, see steadfast/fakes/server.py). That is
a request to our own test double, not an outside call, so it bypasses providers.call(): recording it as an Attempt
would count the drill's own control traffic in the provider's health. A provider whose api_base is not on loopback
is a real gateway, and a drill is refused before anything is sent.
"""

from urllib.parse import urlsplit

import httpx
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steadfast.providers.models import ProviderAudit
from steadfast.providers.services import ProviderChangeError, _audit

LOOPBACK = ("127.0.0.1", "::1", "localhost")
CONTROL_TIMEOUT = 3  # seconds; the fake answers control calls at once, even while it "hangs" for everyone else

# fault name -> (label, body POSTed to /__fault__)
FAULTS = {
    "down": (gettext_lazy("Down (HTTP 503 on every call)"), {"mode": "status", "status": 503}),
    "hang": (gettext_lazy("Hang (no answer until the shop's read timeout)"), {"mode": "hang"}),
    "decline": (gettext_lazy("Decline (the next payments are refused)"), {"mode": "decline"}),
    "reset_after_charge": (gettext_lazy("Reset after charge (the money is taken, the answer is lost)"),
                           {"mode": "reset_after"}),
}


def drill_control_url(provider) -> str:
    """The fake's control endpoint, or ProviderChangeError when the provider is not a loopback fake."""
    api_base = str(provider.config.get("api_base") or "")
    if urlsplit(api_base).hostname not in LOOPBACK:
        raise ProviderChangeError(
            _("%(provider)s is not a fake on this machine (api_base %(api_base)s): fire drills only run against "
              "a fake on 127.0.0.1, never a real gateway.")
            % {"provider": provider.name, "api_base": api_base or _("not set")}
        )
    return api_base.rstrip("/") + "/__fault__"


def provider_drill_start(provider, user, fault: str, actor=""):
    if fault not in FAULTS:
        raise ProviderChangeError(_("Unknown fault %(fault)r.") % {"fault": fault})
    label, body = FAULTS[fault]
    answer = _send(provider, body)
    with transaction.atomic():
        _audit(provider, user, actor, ProviderAudit.Action.DRILL_START,
               _("Fire drill started: %(fault)s") % {"fault": label}, {"fault": fault, "fake": answer})


def provider_drill_end(provider, user, actor=""):
    answer = _send(provider, {"mode": "ok"})
    with transaction.atomic():
        _audit(provider, user, actor, ProviderAudit.Action.DRILL_END, _("Fire drill ended: the fake answers normally"),
               {"fake": answer})


def _send(provider, body) -> dict:
    url = drill_control_url(provider)
    try:
        response = httpx.post(url, json=body, timeout=CONTROL_TIMEOUT, trust_env=False)
        answer = response.json()
    except httpx.HTTPError as error:
        raise ProviderChangeError(
            _("The fake for %(provider)s does not answer at %(url)s (%(error)s). Is the demo running?")
            % {"provider": provider.name, "url": url, "error": type(error).__name__}
        ) from None
    except ValueError:
        answer = None
    if response.status_code != 200 or not isinstance(answer, dict):
        raise ProviderChangeError(
            _("The fake for %(provider)s refused the fault (HTTP %(status)s).")
            % {"provider": provider.name, "status": response.status_code}
        )
    return answer
