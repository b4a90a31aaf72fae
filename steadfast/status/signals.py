"""A breaker transition shows on the banner and status page at once, not when the short caches expire; the
provider's automatic incident opens (or resolves) and policies are evaluated at once too."""

from django.conf import settings
from django.utils import translation

from steadfast.status.selectors import banner_cache_clear
from steadfast.status.snapshot import snapshot_clear


def on_health_changed(sender, event=None, **kwargs):
    banner_cache_clear()
    snapshot_clear()
    # Imported lazily: incidents and policies import services and the provider core.
    from steadfast.status.incidents import incidents_sync
    from steadfast.status.policies import policies_evaluate

    # Policies first: when this transition takes out the last online gateway, the policy's one incident ("online
    # payments are unavailable") covers the provider, whose own incident is then not opened. In the shop's own
    # language: the transition may happen inside a customer's request in another one.
    with translation.override(settings.LANGUAGE_CODE):
        policies_evaluate()
        if event is None or event.to_state != "half_open":  # a trial starting changes nothing customers see
            incidents_sync()
    banner_cache_clear()
    snapshot_clear()


def on_banner_input_saved(sender, raw=False, **kwargs):
    if not raw:  # fixtures load rows as they are
        banner_cache_clear()
