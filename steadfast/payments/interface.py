"""The payment gateway contract: dataclasses in and out, one of four errors (providers.errors) on failure."""

from dataclasses import dataclass, field
from enum import StrEnum

from steadfast.money import Money


class PaymentState(StrEnum):
    PENDING = "pending"
    # The customer consented at the provider (PayPal approval); no money moves until the service captures.
    APPROVED = "approved"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class Redirect:
    """Send the customer to the provider's page. `reference` is the provider's id for the attempt (a session id)."""

    url: str
    reference: str = ""


@dataclass(frozen=True)
class Form:
    """Render a provider form (hosted fields) on our page."""

    action: str
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Done:
    """Nothing more for the customer to do online: paid now, or instructions for paying offline."""

    state: PaymentState
    instructions: str = ""
    reference: str = ""


@dataclass(frozen=True)
class PaymentStatus:
    state: PaymentState
    reference: str = ""
    amount: Money | None = None
    charge_reference: str = ""  # what a refund is made against (a Stripe PaymentIntent id)


@dataclass(frozen=True)
class StartRequest:
    idempotency_key: str
    order_number: str
    amount: Money
    email: str
    return_url: str
    cancel_url: str
    description: str = ""
    pickup: bool = False  # the customer collects the order (offline instructions are worded for it)


class WebhookRejected(ValueError):
    """Forged, stale or unreadable webhook: answer 400 and change nothing."""


@dataclass(frozen=True)
class ProviderEvent:
    id: str
    kind: str
    reference: str  # checkout session id
    payment_key: str  # our Payment.key, from the session metadata
    status: "PaymentStatus | None"  # None: an event we do not act on


class PaymentGateway:
    """Base for every gateway. `offline` gateways never leave the building and cannot fail over.

    Online gateways do I/O only and are always run through providers.call.call(): their methods take the
    httpx client that call() hands out as the last argument, e.g. `start(request, client)`.
    """

    offline = False

    def __init__(self, provider):
        self.provider = provider

    def start(self, request: StartRequest) -> Redirect | Form | Done:
        raise NotImplementedError

    def status(self, idempotency_key: str, reference: str) -> PaymentStatus:
        raise NotImplementedError

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> PaymentStatus:
        raise NotImplementedError

    def test_mode(self) -> bool:
        """True when the credentials are a test or sandbox account (payments.testpay); unknown counts as live."""
        return False

    def test_pay(self, url: str, client) -> str:
        """Pay the hosted page at `url` as a test shopper (only ever called in test mode); returns the return
        address the gateway sends the shopper to, or "" when this gateway's page needs a person to pay."""
        return ""

    # Optional: capture(idempotency_key, reference) -> PaymentStatus, for gateways whose status() can answer
    # APPROVED; cancel(reference) -> PaymentStatus, to close an open session. The service decides when to call them.
