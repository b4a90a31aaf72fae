"""call(provider, operation, fn): the one entry for every outside call.

    def charge(client):                      # an adapter method: I/O only
        response = check_response(client.post("/v1/charges", json=...))
        return response_json(response)

    result = call(provider, "start", charge, reference=order.number)

call() consults the breaker (open: BreakerOpen, an Unavailable, at once; nothing sent), hands fn a ready httpx.Client
(base_url = config "api_base", connect/read timeouts from config "connect_timeout"/"read_timeout",
default 3 s / 10 s), turns transport failures into the four provider errors, records an Attempt row and feeds
the breaker, then returns fn's result or raises the classified error.

Never inside a database transaction: a slow provider would hold row locks for seconds, and the Attempt row
must survive a rollback of the caller's work. The check ignores only the transaction that Django's TestCase
(and so pytest-django's `db` fixture) wraps each test in, recognised by the same `_from_testcase` marker
Django itself uses to allow `atomic(durable=True)` inside tests. Any real atomic block, in tests too, is refused.

Which calls decide health: calls made for a waiting customer (and the probe standing in for one) feed the breaker.
Background calls (refunds, status queries, webhook checks, cancels: BACKGROUND_OPERATIONS, or background=True)
are recorded as Attempts like any other and alert staff when they keep failing (providers.alerting), but do not
take a method away from checkout. After a cool-down the trial call is the probe's, never a customer's (see
breaker.py); call_unrecorded() runs the same call without touching shared health, for diagnostics.

Provider status is available to call() even for a disabled provider: staff disabling a gateway must not stop
us from asking it about payments already made there. Routing (selectors.providers_available) skips it.
"""

import json
import math
import threading
import time

import httpx
from django.db import connection, transaction

from steadfast.providers.alerting import background_outcome
from steadfast.providers.breaker import Ticket, breaker_admit, breaker_record
from steadfast.providers.errors import (
    BreakerOpen,
    Declined,
    IdempotencyConflict,
    Indeterminate,
    Misconfigured,
    ProviderError,
    Rejected,
    Unavailable,
)
from steadfast.providers.models import Attempt
from steadfast.providers.registry import has_probe
from steadfast.providers.rejections import rejection_noted
from steadfast.providers.secrets import scrub

DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 10.0

Outcome = Attempt.Outcome
OUTCOME_OF = {
    BreakerOpen: Outcome.REJECTED,
    Declined: Outcome.DECLINED,
    Unavailable: Outcome.UNAVAILABLE,
    Indeterminate: Outcome.INDETERMINATE,
    Misconfigured: Outcome.MISCONFIGURED,
    Rejected: Outcome.INVALID_REQUEST,
    IdempotencyConflict: Outcome.INVALID_REQUEST,
}
# What the breaker is told: a provider that answered "this request is wrong" is working (like a decline).
BREAKER_OUTCOME = {Outcome.INVALID_REQUEST: Outcome.OK}
# Not sent, or sent in a form the provider cannot have acted on: safe to try elsewhere.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Our side is wrong (bad api_base): no retry will help.
_BAD_SETUP = (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.ProxyError)
# The provider answered with something unusable.
_GARBAGE = (httpx.DecodingError, httpx.TooManyRedirects, json.JSONDecodeError)
# Everything else on the wire happened after (part of) the request left: the provider may have acted on it.
_MAYBE_SENT = (httpx.TransportError,)  # ReadTimeout, ReadError, RemoteProtocolError, WriteError, WriteTimeout
# Operations that move money. Their answer is either a clear success or a clear refusal (Declined, Misconfigured);
# anything else that reached the provider (5xx, 429, garbage, a lost answer) may hide a charge, so it is
# Indeterminate: asked again under the same key, never "nothing happened, pay elsewhere".
MOVES_MONEY = frozenset({"capture", "charge", "refund"})

PROBE = "probe"
# Work done behind the customer's back: it shows on the health page and alerts staff, it is not checkout's health.
BACKGROUND_OPERATIONS = frozenset({"status", "refund", "cancel", "expire", "webhook", "reconcile"})

_clients = {}
_clients_lock = threading.Lock()
# Calls anyone on the internet can cause (verifying a webhook) are recorded as attempts but neither consult nor feed
# the breaker: a flood of forged deliveries during provider throttling must not take the gateway out of checkout.
HEALTH_EXEMPT_OPERATIONS = {"webhook"}
_UNTRACKED = Ticket(allowed=False, gen=0)  # breaker_record ignores a ticket that was not admitted
# A cap (what is left of a customer's payment budget) is rounded down to this step before it picks a pooled client:
# left unrounded, every replay had a timeout of its own and built a client of its own (~30 ms of CPU for its TLS
# context, ~50 ms more for the Stripe SDK's, in the web worker under a hang) that was kept forever.
CAP_STEP = 0.5


def call(provider, operation: str, fn, reference: str = "", timeout: float | None = None,
         background: bool | None = None):
    """`timeout` caps this call's connect and read timeouts (seconds), e.g. to a customer-facing step's budget."""
    background = operation in BACKGROUND_OPERATIONS if background is None else background
    if _in_transaction():
        raise RuntimeError(
            f"providers.call({provider.code!r}, {operation!r}) inside a database transaction: commit first "
            "(e.g. transaction.on_commit or after the atomic block); an outside call must never hold locks."
        )
    exempt = operation in HEALTH_EXEMPT_OPERATIONS
    ticket = _UNTRACKED if exempt else breaker_admit(provider, trial_ok=operation == PROBE or not has_probe(provider))
    if not exempt and not ticket.allowed:
        message = f"{provider.code} is out of service (breaker {ticket.state}); nothing was sent"
        _attempt(provider, operation, Outcome.REJECTED, "BreakerOpen", message, 0, reference)
        raise BreakerOpen(message)
    started = time.perf_counter()
    try:
        result = fn(_client(provider, timeout))
    except (ProviderError, httpx.HTTPError, httpx.InvalidURL, json.JSONDecodeError) as raised:
        error = _money_unknown(operation, raised, _classify(raised))
        outcome, error_class = OUTCOME_OF[type(error)], type(raised).__name__
        message = scrub(str(raised) or error_class, provider)
        _attempt(provider, operation, outcome, error_class, message, _ms(started), reference)
        counted = BREAKER_OUTCOME.get(outcome, outcome)
        breaker_record(provider, ticket, counted, f"{error_class}: {message}", counts=not background)
        if background:
            background_outcome(provider, operation, counted, f"{error_class}: {message}")
        if isinstance(error, Rejected):
            rejection_noted(provider, operation, error, message, reference)
        if error is raised:
            raise
        raise error from raised
    _attempt(provider, operation, Outcome.OK, "", "", _ms(started), reference)
    breaker_record(provider, ticket, Outcome.OK, counts=not background)
    if background:
        background_outcome(provider, operation, Outcome.OK)
    return result


def call_unrecorded(provider, fn):
    """fn with the same client, timeouts and error classification as call(), but without consulting or feeding
    the breaker and without an Attempt: what a diagnostic from a shell sees must not change the shop's health."""
    try:
        return fn(_client(provider))
    except (ProviderError, httpx.HTTPError, httpx.InvalidURL, json.JSONDecodeError) as raised:
        error = _classify(raised)
        if error is raised:
            raise
        raise error from raised


def check_response(response: httpx.Response) -> httpx.Response:
    """Map the statuses every provider shares; provider-specific ones (402 declined, 409...) stay with the adapter."""
    status = response.status_code
    if status in (401, 403):
        raise Misconfigured(f"HTTP {status}: credentials or account refused")
    if status == 429 or status >= 500:
        raise Unavailable(f"HTTP {status}")
    return response


def response_json(response: httpx.Response):
    """The body as JSON; garbage (HTML error page, truncated body) means the provider is not working."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise Unavailable(f"HTTP {response.status_code}: malformed response body") from None


def timeouts(provider) -> tuple[float, float]:
    def number(name, default):
        try:
            value = float(provider.config.get(name, default))
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default

    return number("connect_timeout", DEFAULT_CONNECT_TIMEOUT), number("read_timeout", DEFAULT_READ_TIMEOUT)


def _classify(raised) -> ProviderError:
    if isinstance(raised, ProviderError):
        # A bare ProviderError from an adapter is treated as the provider being unavailable.
        return raised if type(raised) in OUTCOME_OF else Unavailable(str(raised))
    if isinstance(raised, httpx.HTTPStatusError):  # an adapter used response.raise_for_status()
        try:
            check_response(raised.response)
        except ProviderError as mapped:
            return mapped
        return Unavailable(f"HTTP {raised.response.status_code}")
    if isinstance(raised, _NOT_SENT):
        return Unavailable(f"could not connect: {type(raised).__name__}")
    if isinstance(raised, _BAD_SETUP):
        return Misconfigured(f"bad endpoint configuration: {type(raised).__name__}")
    if isinstance(raised, _GARBAGE):
        return Unavailable(f"unusable response: {type(raised).__name__}")
    if isinstance(raised, _MAYBE_SENT):
        return Indeterminate(f"sent, outcome unknown: {type(raised).__name__}")
    return Unavailable(type(raised).__name__)


def _money_unknown(operation, raised, error) -> ProviderError:
    """For MOVES_MONEY operations, an Unavailable that was sent is Indeterminate (a refused connection was not)."""
    if operation not in MOVES_MONEY or type(error) is not Unavailable or _never_sent(raised):
        return error
    return Indeterminate(f"{operation}: unusable answer, outcome unknown ({error})")


def _never_sent(raised) -> bool:
    seen = 0
    while raised is not None and seen < 5:  # an SDK may wrap the transport error (stripe.APIConnectionError)
        if isinstance(raised, _NOT_SENT):
            return True
        raised, seen = raised.__cause__ or raised.__context__, seen + 1
    return False


def _client(provider, cap: float | None = None) -> httpx.Client:
    """One pooled client per endpoint and timeouts, shared by threads (httpx.Client is thread-safe).

    Adapters must not close it. trust_env=False: no proxy or netrc from the environment sneaks in.
    """
    connect, read = timeouts(provider)
    if cap is not None:
        stepped = math.floor(cap / CAP_STEP) * CAP_STEP
        cap = stepped if stepped > 0 else cap  # below one step: as given (rare; still a handful of values)
        connect, read = min(connect, cap), min(read, cap)
    key = (provider.config.get("api_base", ""), connect, read)
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                timeout = httpx.Timeout(read, connect=connect)
                client = httpx.Client(base_url=key[0], timeout=timeout, follow_redirects=False, trust_env=False)
                _clients[key] = client
    return client


def _in_transaction() -> bool:
    if connection.in_atomic_block:
        return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
    return not connection.get_autocommit()  # transaction.set_autocommit(False) by hand


def _ms(started) -> int:
    return int((time.perf_counter() - started) * 1000)


def _attempt(provider, operation, outcome, error_class, message, latency_ms, reference):
    row = Attempt(
        provider=provider, operation=operation[:50], outcome=outcome, error_class=error_class[:100],
        message=message[:500], latency_ms=latency_ms, reference=str(reference)[:100],
    )
    if connection.vendor != "postgresql":
        row.save(force_insert=True)
        return
    # Attempt rows are telemetry on the checkout path: waiting for the WAL flush of each one (several ms on a
    # busy disk) would slow every payment. A PostgreSQL crash may lose the last fraction of a second of them;
    # orders, payments and HealthEvents keep full durability.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        row.save(force_insert=True)
