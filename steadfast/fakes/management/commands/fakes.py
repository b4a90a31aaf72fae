"""Run the fake providers for the demo and fire drills, or switch a running fake's fault.

    manage.py fakes run [--only stripe] [--port stripe=8811] [--shop-url http://127.0.0.1:8000] [--register]
    (payments: stripe paypal yookassa; shipping: cdek inpost easypost; messages: telegram smsru twilio postmark mailgun)
    manage.py fakes fault stripe hang            # ok | status --status 503 | slow --ms 2000 | hang | reset |
                                                 # malformed | decline | reset_after | hang_after | bad_signature

Fakes listen on 127.0.0.1 only. Secrets come from the same environment variables the shop reads
(STEADFAST_STRIPE_SECRET_KEY, STEADFAST_STRIPE_WEBHOOK_SECRET), so the shop and its fake agree.
--register creates the provider row pointing at the fake when it does not exist yet.
"""

import argparse
import signal
import threading

import httpx
from django.core.management.base import BaseCommand, CommandError

from steadfast.fakes.channel_fakes import CHANNEL_FAKES, CHANNEL_SECRETS
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret

DEMO_WEBHOOK_SECRET = "whsec_demo_steadfast"  # the demo only; a real shop sets its own
DEMO_KEY = "sk_test_demo_steadfast"
# What a fake expects when STEADFAST_<CODE>_<NAME> is not set. `manage.py demo` exports exactly these to the shop,
# its worker and the fakes, so all three agree without a secret ever being stored in the database.
DEMO_SECRETS = {
    "stripe": {"SECRET_KEY": DEMO_KEY, "WEBHOOK_SECRET": DEMO_WEBHOOK_SECRET},
    "paypal": {"CLIENT_ID": "fake-client-id", "CLIENT_SECRET": "fake-client-secret", "WEBHOOK_ID": "WH-FAKE-0001"},
    "yookassa": {"SHOP_ID": "100500", "SECRET_KEY": "test_fake_secret"},
    "cdek": {"CLIENT_ID": "cdek-demo", "CLIENT_SECRET": "cdek-demo-secret"},
    "inpost": {"API_TOKEN": "inpost-demo-token", "WEBHOOK_SECRET": "inpost-demo-webhook-secret"},
    "easypost": {"API_KEY": "EZTK-demo", "WEBHOOK_SECRET": "easypost-demo-webhook-secret"},
    **CHANNEL_SECRETS,
}


def _secret(code, name):
    return provider_secret(Provider(code=code), name, DEMO_SECRETS[code][name])


def _stripe(port, shop_url):
    from steadfast.fakes.stripe import FakeStripe

    return FakeStripe(port=port, webhook_url=f"{shop_url}/payments/webhooks/stripe/",
                      webhook_secret=_secret("stripe", "WEBHOOK_SECRET"), api_key=_secret("stripe", "SECRET_KEY"))


def _paypal(port, shop_url):
    from steadfast.fakes.paypal import FakePayPal

    return FakePayPal(port=port, webhook_url=f"{shop_url}/payments/webhooks/paypal/",
                      client_id=_secret("paypal", "CLIENT_ID"), client_secret=_secret("paypal", "CLIENT_SECRET"),
                      webhook_id=_secret("paypal", "WEBHOOK_ID"))


def _yookassa(port, shop_url):
    from steadfast.fakes.yookassa import FakeYooKassa

    return FakeYooKassa(port=port, webhook_url=f"{shop_url}/payments/webhooks/yookassa/",
                        shop_id=_secret("yookassa", "SHOP_ID"), secret_key=_secret("yookassa", "SECRET_KEY"))


def _cdek(port, shop_url):
    from steadfast.fakes.cdek import FakeCdek

    return FakeCdek(port=port, client_id=_secret("cdek", "CLIENT_ID"), client_secret=_secret("cdek", "CLIENT_SECRET"))


def _inpost(port, shop_url):
    from steadfast.fakes.inpost import FakeInPost

    secret = _secret("inpost", "WEBHOOK_SECRET")  # in the webhook URL, and signs each delivery (X-InPost-Signature)
    return FakeInPost(port=port, api_token=_secret("inpost", "API_TOKEN"), organization_id=1234,
                      webhook_url=f"{shop_url}/shipping/webhooks/inpost/{secret}/", webhook_secret=secret)


def _easypost(port, shop_url):
    from django.conf import settings

    from steadfast.fakes.easypost import FakeEasyPost

    # Rates in the shop's currency: checkout offers only prices in it, and the demo shop runs in EUR (a real
    # EasyPost account answers in USD: a US shop sets SHOP_CURRENCY=USD).
    return FakeEasyPost(port=port, api_key=_secret("easypost", "API_KEY"), currency=settings.SHOP_CURRENCY,
                        webhook_url=f"{shop_url}/shipping/webhooks/easypost/{_secret('easypost', 'WEBHOOK_SECRET')}/")


# name -> (default port, factory(port, shop_url), provider row for --register). Other gateways add a line here.
FAKES = {
    "stripe": (8811, _stripe, {"kind": "payment", "adapter": "stripe", "name": "Card (Stripe)", "priority": 100,
                               "description": "Visa, Mastercard, Apple Pay, Google Pay."}),
    "paypal": (8812, _paypal, {"kind": "payment", "adapter": "paypal", "name": "PayPal", "priority": 110,
                               "description": "Pay with your PayPal account."}),
    "yookassa": (8813, _yookassa, {"kind": "payment", "adapter": "yookassa", "name": "YooKassa", "priority": 120,
                                   "description": "Bank cards, SBP, YooMoney."}),
    "cdek": (8821, _cdek, {"kind": "shipping", "adapter": "cdek", "name": "CDEK", "priority": 100,
                           "description": "Courier and pickup points across Russia and the CIS.",
                           # parcels leave Moscow (CDEK city code 44); checkout prices the shopper's own address
                           "config": {"origin": {"carrier_code": "44"}}}),
    "inpost": (8822, _inpost, {"kind": "shipping", "adapter": "inpost", "name": "InPost", "priority": 110,
                               "description": "Parcel lockers and courier in Poland.",
                               "config": {"organization_id": 1234}}),
    "easypost": (8823, _easypost, {"kind": "shipping", "adapter": "easypost", "name": "EasyPost", "priority": 120,
                                   "description": "USPS and UPS to the United States.",
                                   "config": {"origin": {"country": "US", "postcode": "94105", "city": "San Francisco",
                                                         "address": "118 2nd Street"}}}),
    **CHANNEL_FAKES,  # e-mail, SMS and Telegram (fakes/channel_fakes.py)
}


class Command(BaseCommand):
    help = "Run loopback fake providers (demo, fire drills) or change a running fake's fault."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Start fakes and keep them running until Ctrl+C.")
        run.add_argument("--only", action="append", choices=sorted(FAKES), help="Start only these fakes.")
        run.add_argument("--port", action="append", default=[], metavar="NAME=PORT", type=name_port,
                         help="Listen on another port than the fake's usual one.")
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

    def run(self, only, port, shop_url, register, **_):
        started, ports = [], dict(port)
        for name in only or sorted(FAKES):
            default_port, factory, row = FAKES[name]
            fake = factory(ports.get(name, default_port), shop_url.rstrip("/")).start()
            started.append(fake)
            self.stdout.write(f"{name}: {fake.url} (POST {fake.url}/__fault__ or `manage.py fakes fault {name} ...`)"
                              + (f"; received: {fake.url}/__messages__" if hasattr(fake, "messages") else ""))
            if register:
                defaults = {**row, "config": {**row.get("config", {}), "api_base": fake.url}}
                _, created = Provider.objects.get_or_create(code=name, defaults=defaults)
                self.stdout.write(f"  provider {name}: {'created' if created else 'exists, left as it is'}")
        # Explicit handlers: Python turns SIGINT into KeyboardInterrupt only when SIGINT was not ignored at start-up,
        # and a process started in the background by a script inherits it ignored (a CI run caught `fakes run`
        # still waiting a minute after Ctrl-C). SIGTERM is how process managers stop it.
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.wait(0.5):
            pass
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


def name_port(text) -> tuple[str, int]:
    name, _, port = text.partition("=")
    if name not in FAKES or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected NAME=PORT with NAME one of {', '.join(sorted(FAKES))}")
    return name, int(port)
