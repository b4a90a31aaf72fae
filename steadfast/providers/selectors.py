from steadfast.providers import clock
from steadfast.providers.breaker import CLOSED, DISABLED, OPEN, breaker_view
from steadfast.providers.models import Provider
from steadfast.providers.registry import has_probe


def providers_available(kind: str):
    """Enabled providers of a kind whose breaker lets calls through, in priority order.

    An open breaker keeps the provider out until the background probe's trial succeeded: a customer's payment is
    never the trial. Only a provider nothing can probe counts as available once its cool-down is over (its next
    call is the trial). A half-open breaker (trial in flight) does not.
    """
    return [p for p in Provider.objects.filter(kind=kind, enabled=True).order_by("priority", "name") if _callable(p)]


def provider_state(provider) -> str:
    """closed | open | half_open | disabled, as shown to staff and on the status page."""
    if not provider.enabled:
        return DISABLED
    return breaker_view(provider).state


def _callable(provider) -> bool:
    view = breaker_view(provider)
    if view.state == CLOSED:
        return True
    return view.state == OPEN and clock.now() >= view.retry_at and not has_probe(provider)
