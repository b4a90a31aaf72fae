"""What the fault matrix (test_fault_matrix.py) needs per gateway: its fake, a provider pointed at it, how the
customer pays on the hosted page, how the provider's webhook reaches the shop, and the fake's charge ledger.

The faults, as the fakes inject them while one step runs:
    ok, decline              the gateway's own decline (Stripe: session create 402; YooKassa: payment created
                             cancelled; PayPal: the capture is refused)
    503, 429, malformed      every API request fails that way (nothing done at the provider)
    hang                     the provider acts on the request and its answer comes after our read timeout
    reset                    the provider acts on the request (session created, charge made), then the connection
                             is reset
On PayPal the money moves at the capture, which our status query makes after reading the order: hang and reset hit
POST requests only there, so that "the charge is made, the answer is lost" really happens.
"""

import json
import uuid
from dataclasses import dataclass, replace

import httpx
import pytest

from steadfast.fakes.paypal import FakePayPal
from steadfast.fakes.server import Fault
from steadfast.fakes.stripe import FakeStripe
from steadfast.fakes.yookassa import FakeYooKassa
from steadfast.providers.secrets import provider_secret_env

FAULTS = {
    "ok": ("ok", {}),
    "decline": ("decline", {}),
    "503": ("status", {"status": 503}),
    "429": ("status", {"status": 429}),
    "hang": ("hang_after", {}),
    "reset": ("reset_after", {}),
    "malformed": ("malformed", {}),
}
STEPS = ("start", "confirm", "webhook", "reconcile")
GATEWAYS = ("stripe", "paypal", "yookassa")
READ_TIMEOUT = 0.3


class CapturingPayPal(FakePayPal):
    """PayPal fake whose hang/reset faults wait for a POST (create, capture, verify), reads pass untouched."""

    def handle(self, request):
        with self._lock:
            fault = self._gateway_fault
            held = request.method != "POST" and fault.mode in ("reset_after", "hang_after")
            if held:
                self._gateway_fault = Fault()
        try:
            return super().handle(request)
        finally:
            if held:
                with self._lock:
                    if self._gateway_fault.mode == "ok":  # not changed by the test meanwhile
                        self._gateway_fault = fault


@dataclass
class Gateway:
    name: str
    fake: object
    provider: object

    def arm(self, fault: str):
        mode, options = FAULTS[fault]
        self.fake.set_fault(mode, **options)

    def clear(self):
        self.fake.set_fault("ok")

    def pay(self, url: str):
        """The customer presses Pay on the hosted page (the fake makes the charge or, PayPal, the approval)."""
        with httpx.Client(trust_env=False, timeout=10) as browser:
            assert browser.get(url).status_code == 200
            assert browser.post(url, data={"action": "pay"}).status_code in (302, 303)

    def webhook(self, client, payment):
        """Deliver the provider's latest event about `payment` to the shop; returns the shop's HTTP status."""
        url = f"/payments/webhooks/{self.provider.code}/"
        if self.name == "stripe":
            body, signature = self.fake.event_request(self.fake.events[-1])
            headers = {"Stripe-Signature": signature}
        elif self.name == "paypal":
            body, headers = self.fake.webhook_request(self.fake.events[-1])
        else:
            body, headers = json.dumps(self.fake.notification(payment.reference)).encode(), {}
        return client.post(url, body, content_type="application/json", headers=headers).status_code

    def charges(self) -> list[tuple[str, bool]]:
        """Every successful charge at the fake: (the shop's Payment.key it belongs to, fully refunded)."""
        if self.name == "stripe":
            from steadfast.payments.models import Payment

            keys = {p.reference: str(p.key) for p in Payment.objects.filter(provider=self.provider)}
            return [(keys.get(c["session"], "?"), c["refunded"] >= c["amount"]) for c in self.fake.charges()]
        return [(c.key, c.refunded >= c.amount) for c in self.fake.ledger.successful()]


def gateway_start(name, monkeypatch) -> Gateway:
    """A fake on loopback and a provider row pointed at it (unique code: no breaker state shared across tests)."""
    from steadfast.fakes.testing import STRIPE_KEY, WEBHOOK_SECRET
    from steadfast.providers.models import Provider

    code = f"{name}-{uuid.uuid4().hex[:8]}"
    if name == "stripe":
        fake = FakeStripe(webhook_secret=WEBHOOK_SECRET, api_key=STRIPE_KEY).start()
        secrets = {"SECRET_KEY": STRIPE_KEY, "WEBHOOK_SECRET": WEBHOOK_SECRET}
    elif name == "paypal":
        fake = CapturingPayPal().start()
        secrets = {"CLIENT_ID": "fake-client-id", "CLIENT_SECRET": "fake-client-secret", "WEBHOOK_ID": "WH-FAKE-0001"}
    else:
        fake = FakeYooKassa().start()
        secrets = {"SHOP_ID": "100500", "SECRET_KEY": "test_fake_secret"}
    for key, value in secrets.items():
        monkeypatch.setenv(provider_secret_env(code, key), value)
    provider = Provider.objects.create(
        kind=Provider.Kind.PAYMENT, code=code, adapter=name, name=f"Online ({name})", priority=10,
        config={"api_base": fake.url, "connect_timeout": 1, "read_timeout": READ_TIMEOUT},
    )
    return Gateway(name, fake, provider)


RETURN = "http://testserver/orders/x/"


@pytest.fixture
def order_for(make_variant, details):
    variant = make_variant(stock=10, price="20.00")

    def make(provider):
        from steadfast.checkout.services import order_place

        order, _ = order_place(lines=[(variant.pk, 1)], details=replace(details, payment_method=provider.code),
                               idempotency_key=f"matrix-{provider.code}")
        return order

    return make


def returned(client, order, payment):
    """The provider sends the customer back: the return is settled, then the plain order page is shown."""
    back = client.get(f"{order.get_absolute_url()}?payment={payment.key}")
    assert back.status_code == 302 and back["Location"] == order.get_absolute_url()
