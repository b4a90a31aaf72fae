"""A breaker transition shows on the banner and status page at once, not when the short caches expire."""

from steadfast.status.selectors import banner_cache_clear
from steadfast.status.snapshot import snapshot_clear


def on_health_changed(sender, event=None, **kwargs):
    banner_cache_clear()
    snapshot_clear()
