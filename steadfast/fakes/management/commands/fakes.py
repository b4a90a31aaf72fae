"""Run the fake providers for the demo and fire drills, or switch a running fake's fault.

    manage.py fakes run [--only stripe] [--shop-url http://127.0.0.1:8000] [--register]
    manage.py fakes fault stripe hang            # ok | status --status 503 | slow --ms 2000 | hang | reset |
                                                 # malformed | decline | reset_after | hang_after | bad_signature

Fakes listen on 127.0.0.1 only. Secrets come from the same environment variables the shop reads
(STEADFAST_STRIPE_SECRET_KEY, STEADFAST_STRIPE_WEBHOOK_SECRET), so the shop and its fake agree.
--register creates the provider row pointing at the fake when it does not exist yet.
"""

import threading

import httpx
from django.core.management.base import BaseCommand, CommandError

from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret

DEMO_WEBHOOK_SECRET = "whsec_demo_steadfast"  # the demo only; a real shop sets its own
DEMO_KEY = "sk_test_demo_steadfast"


def _stripe(port, shop_url):
    from steadfast.fakes.stripe import FakeStripe

    probe = Provider(code="stripe")
    return FakeStripe(port=port, webhook_url=f"{shop_url}/payments/webhooks/stripe/",
                      webhook_secret=provider_secret(probe, "WEBHOOK_SECRET", DEMO_WEBHOOK_SECRET),
                      api_key=provider_secret(probe, "SECRET_KEY", DEMO_KEY))


def _paypal(port, shop_url):
    from steadfast.fakes.paypal import FakePayPal

    probe = Provider(code="paypal")
    return FakePayPal(port=port, webhook_url=f"{shop_url}/payments/webhooks/paypal/",
                      client_id=provider_secret(probe, "CLIENT_ID", "fake-client-id"),
                      client_secret=provider_secret(probe, "CLIENT_SECRET", "fake-client-secret"),
                      webhook_id=provider_secret(probe, "WEBHOOK_ID", "WH-FAKE-0001"))


def _yookassa(port, shop_url):
    from steadfast.fakes.yookassa import FakeYooKassa

    probe = Provider(code="yookassa")
    return FakeYooKassa(port=port, webhook_url=f"{shop_url}/payments/webhooks/yookassa/",
                        shop_id=provider_secret(probe, "SHOP_ID", "100500"),
                        secret_key=provider_secret(probe, "SECRET_KEY", "test_fake_secret"))


# name -> (default port, factory(port, shop_url), provider row for --register). Other gateways add a line here.
FAKES = {
    "stripe": (8811, _stripe, {"kind": "payment", "adapter": "stripe", "name": "Card (Stripe)", "priority": 100,
                               "description": "Visa, Mastercard, Apple Pay, Google Pay."}),
    "paypal": (8812, _paypal, {"kind": "payment", "adapter": "paypal", "name": "PayPal", "priority": 110,
                               "description": "Pay with your PayPal account."}),
    "yookassa": (8813, _yookassa, {"kind": "payment", "adapter": "yookassa", "name": "YooKassa", "priority": 120,
                                   "description": "Bank cards, SBP, YooMoney."}),
}


class Command(BaseCommand):
    help = "Run loopback fake providers (demo, fire drills) or change a running fake's fault."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Start fakes and keep them running until Ctrl+C.")
        run.add_argument("--only", action="append", choices=sorted(FAKES), help="Start only these fakes.")
        run.add_argument("--shop-url", default="http://127.0.0.1:8000", help="Where webhooks go.")
        run.add_argument("--register", action="store_true", help="Create missing provider rows pointing at the fakes.")
        fault = sub.add_parser("fault", help="Set the fault of a running fake.")
        fault.add_argument("name", choices=sorted(FAKES))
        fault.add_argument("mode")
        fault.add_argument("--status", type=int, default=503)
        fault.add_argument("--ms", type=int, default=0)
        fault.add_argument("--times", type=int)
        fault.add_argument("--port", type=int, help="Defaults to the fake's usual port.")

    def handle(self, *args, action, **options):
        return self.run(**options) if action == "run" else self.fault(**options)

    def run(self, only, shop_url, register, **_):
        started = []
        for name in only or sorted(FAKES):
            port, factory, row = FAKES[name]
            fake = factory(port, shop_url.rstrip("/")).start()
            started.append(fake)
            self.stdout.write(f"{name}: {fake.url} (POST {fake.url}/__fault__ or `manage.py fakes fault {name} ...`)")
            if register:
                defaults = {**row, "config": {"api_base": fake.url}}
                _, created = Provider.objects.get_or_create(code=name, defaults=defaults)
                self.stdout.write(f"  provider {name}: {'created' if created else 'exists, left as it is'}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            for fake in started:
                fake.stop()

    def fault(self, name, mode, status, ms, times, port, **_):
        url = f"http://127.0.0.1:{port or FAKES[name][0]}/__fault__"
        body = {"mode": mode, "status": status, "ms": ms, **({"times": times} if times else {})}
        try:
            response = httpx.post(url, json=body, timeout=5, trust_env=False)
        except httpx.HTTPError as error:
            raise CommandError(f"{name} fake not reachable at {url}: {error}") from None
        if response.status_code != 200:
            raise CommandError(response.text)
        self.stdout.write(response.text)
