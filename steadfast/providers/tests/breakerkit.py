"""Run in a subprocess on the test's database and cache, as a second shop process would:

    python -m steadfast.providers.tests.breakerkit <code> <api_base> <calls>
        -> JSON {"outcomes": [...], "state": "open"}: <calls> calls through providers.call to GET /ping

The provider row is made here if missing (adapter "offline" is never used: the call's fn does the I/O itself).
"""

import json
import sys


def calls(code, api_base, count):
    from steadfast.providers.breaker import breaker_view
    from steadfast.providers.call import call, check_response
    from steadfast.providers.errors import ProviderError
    from steadfast.providers.models import Provider

    provider, _ = Provider.objects.get_or_create(code=code, defaults={
        "kind": Provider.Kind.PAYMENT, "adapter": "stripe", "name": code,
        "config": {"api_base": api_base, "connect_timeout": 1, "read_timeout": 1, "cooldown": 3600}})
    outcomes = []
    for _ in range(int(count)):
        try:
            call(provider, "probe", lambda client: check_response(client.get("/ping")))
            outcomes.append("ok")
        except ProviderError as error:
            outcomes.append(type(error).__name__)
    return {"outcomes": outcomes, "state": breaker_view(provider).state}


def main(argv):
    import django

    django.setup()
    print(json.dumps(calls(*argv)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
