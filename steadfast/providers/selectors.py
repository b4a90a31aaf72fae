from steadfast.providers.models import Provider


def providers_available(kind: str):
    """Enabled providers of a kind, in priority order. Health filtering joins here when the breaker lands."""
    return list(Provider.objects.filter(kind=kind, enabled=True).order_by("priority", "name"))
