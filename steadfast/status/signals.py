"""A breaker transition shows on the banner and status page at once, not when the short caches expire, and
policies are evaluated at once."""

from steadfast.status.selectors import banner_cache_clear
from steadfast.status.snapshot import snapshot_clear


def on_health_changed(sender, event=None, **kwargs):
    banner_cache_clear()
    snapshot_clear()
    # Policies right away, not at the next minute's tick: "all online gateways out" acts within seconds.
    from steadfast.status.policies import policies_evaluate  # imports incidents and services: load lazily

    policies_evaluate()
    banner_cache_clear()
