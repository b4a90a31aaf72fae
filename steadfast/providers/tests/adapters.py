"""A tiny adapter for the tests: I/O against the generic fake, mapping statuses like a real gateway would."""

from steadfast.providers.call import call, check_response, response_json
from steadfast.providers.errors import Declined
from steadfast.providers.registry import adapter_for


def ping(provider, reference=""):
    """What a gateway's routing code does: one outside call through the provider core."""
    return call(provider, "ping", adapter_for(provider).ping, reference=reference)


class PingAdapter:
    def __init__(self, provider):
        self.provider = provider

    def ping(self, client):
        response = client.get("/ping")
        if response.status_code == 402:
            raise Declined("card declined")
        return response_json(check_response(response))

    def probe(self, client):
        return self.ping(client)


class SilentAdapter:
    """Like an offline gateway: nothing to probe."""

    def __init__(self, provider):
        self.provider = provider


class UnprobedAdapter:
    """Calls like a gateway, but has no probe: nothing can test it in the background."""

    def __init__(self, provider):
        self.provider = provider

    def ping(self, client):
        return response_json(check_response(client.get("/ping")))
