"""The ways an outside call fails. Adapters raise exactly these; routing decides what to do."""


class ProviderError(Exception):
    retry_elsewhere = False


class Declined(ProviderError):
    """The customer's problem (card refused). Not the provider's health; no failover."""


class Unavailable(ProviderError):
    """Down or overloaded (connect refused, DNS, 5xx, 429, garbage). Safe to fail over."""

    retry_elsewhere = True


class Indeterminate(ProviderError):
    """Sent, outcome unknown (read timeout, reset mid-response). Ask again with the same idempotency key."""


class Misconfigured(ProviderError):
    """401/403, bad key or account. Alert staff and take the provider out."""

    retry_elsewhere = True


class BreakerOpen(Unavailable):
    """Not even tried: the provider's breaker is open. Routing shows the method as temporarily unavailable."""


class Rejected(ProviderError):
    """This one request is wrong (400/404/422 caused by our data for one order): the provider works and answered,
    the customer's card is not the problem. Not counted against the provider's health; staff are told when it
    repeats (providers.rejections). Another method may still take the order."""

    retry_elsewhere = True


class IdempotencyConflict(Rejected):
    """The provider saw our idempotency key before with other parameters. Always a bug on our side (a replay must
    send byte-identical parameters): staff are alerted at once; never an outage."""
