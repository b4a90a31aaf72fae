from steadfast.providers import clock
from steadfast.providers.breaker import CLOSED, DISABLED, OPEN, breaker_view
from steadfast.providers.models import Provider


def providers_available(kind: str):
    """Enabled providers of a kind whose breaker lets calls through, in priority order.

    An open breaker whose cool-down is over counts as available: the next call is its one trial. A half-open
    breaker (trial in flight) does not.
    """
    return [p for p in Provider.objects.filter(kind=kind, enabled=True).order_by("priority", "name") if _callable(p)]


def provider_state(provider) -> str:
    """closed | open | half_open | disabled, as shown to staff and on the status page."""
    if not provider.enabled:
        return DISABLED
    return breaker_view(provider).state


def _callable(provider) -> bool:
    view = breaker_view(provider)
    return view.state == CLOSED or (view.state == OPEN and clock.now() >= view.retry_at)
