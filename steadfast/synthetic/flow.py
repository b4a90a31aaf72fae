"""One synthetic checkout over real HTTP against the storefront (SYNTHETIC_CHECKOUT_URL or SITE_URL): the same
pages and forms a shopper uses — cart, contact, delivery, address, payment, review, place — then the order page.

The session is created server-side with the probe's mark (a shopper cannot set it), so only this client may buy
the hidden product and the order comes out flagged synthetic. A step that does not answer as a shopper would
need stops the run and names the step. Online payment methods: the redirect to the gateway's page is the payment
session; in test mode the page is then paid and the shopper's return followed until the shop has the payment
(paying.py; services.py refunds it). A live account, or a page that needs a person, stops at the gateway's page.
The order is cancelled or refunded afterwards, which gives the stock back.
"""

import re
import secrets
import time
from dataclasses import dataclass, field
from importlib import import_module
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.middleware.csrf import CSRF_SESSION_KEY

from steadfast.orders.models import Order
from steadfast.providers.registry import adapter_for
from steadfast.shipping.postcodes import postcode_example
from steadfast.synthetic.errors import StepFailed
from steadfast.synthetic.paying import gateway_pay, payment_captured_wait
from steadfast.synthetic.product import SESSION_KEY

__all__ = ["FlowResult", "StepFailed", "checkout_run"]

POINT = re.compile(r'<input type="radio" name="point" value="([^"]+)"')
HIDDEN = re.compile(r'<input[^>]+name="(?P<name>token|fingerprint)"[^>]+value="(?P<value>[^"]*)"')
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


@dataclass
class FlowResult:
    steps: list = field(default_factory=list)
    order_key: str = ""  # the order's idempotency key (the review page's token)
    gateway_url: str = ""
    payment_id: int | None = None  # the online payment the probe paid (test mode), to be refunded


def base_url() -> str:
    return (settings.SYNTHETIC_CHECKOUT_URL or settings.SITE_URL).rstrip("/")


def checkout_run(variant, delivery, payment, run_id: int, result: FlowResult) -> FlowResult:
    """Walk the checkout for one (delivery method, payment provider); raises StepFailed naming the step."""
    base = base_url()
    secret = secrets.token_hex(16)  # Django accepts the unmasked CSRF secret as the form token
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = run_id
    if settings.CSRF_USE_SESSIONS:
        session[CSRF_SESSION_KEY] = secret
    session.create()
    cookies = {settings.SESSION_COOKIE_NAME: session.session_key, settings.CSRF_COOKIE_NAME: secret}
    headers = {"User-Agent": "steadfast-synthetic-checkout", "Referer": base + "/"}
    with httpx.Client(base_url=base, cookies=cookies, headers=headers, timeout=TIMEOUT, trust_env=False,
                      follow_redirects=False) as client:
        def post(step, path, data, expect_path=None):
            started = time.monotonic()
            try:
                response = client.post(path, data={"csrfmiddlewaretoken": secret, **data})
            except httpx.HTTPError as error:
                raise StepFailed(step, f"no answer ({type(error).__name__})") from None
            location = response.headers.get("location", "")
            if response.status_code != 302:
                raise StepFailed(step, f"HTTP {response.status_code} instead of the next step")
            if expect_path and not urlsplit(location).path.startswith(expect_path):
                raise StepFailed(step, f"sent back to {urlsplit(location).path}")
            result.steps.append({"step": step, "ok": True, "ms": int((time.monotonic() - started) * 1000)})
            return location

        def get(step, path, must_contain=""):
            try:
                response = client.get(path)
            except httpx.HTTPError as error:
                raise StepFailed(step, f"no answer ({type(error).__name__})") from None
            if response.status_code != 200:
                raise StepFailed(step, f"HTTP {response.status_code}")
            if must_contain and must_contain not in response.text:
                raise StepFailed(step, f"{must_contain!r} not offered")
            return response.text

        post("cart", "/cart/add/", {"variant": variant.pk, "quantity": 1}, "/cart/")
        post("contact", "/checkout/", {"full_name": "Synthetic Checkout", "phone": "+48 500 000 000",
                                       "email": f"synthetic-checkout@{urlsplit(base).hostname or 'localhost'}"})
        codes = delivery.country_codes
        country = settings.SHOP_COUNTRY if settings.SHOP_COUNTRY in codes or not codes else codes[0]
        postcode, city = settings.SYNTHETIC_CHECKOUT_PLACES.get(country, (postcode_example(country), "Test"))
        # Carriers price the parcel's destination, asked on the delivery step before the methods; their pickup
        # points are listed for its town, so it must be a real one (SYNTHETIC_CHECKOUT_PLACES).
        post("delivery", "/checkout/delivery/", {"where": "1", "to-country": country, "to-postcode": postcode,
                                                 "to-city": city})
        get("delivery", "/checkout/delivery/", f'value="{delivery.code}"')
        step = urlsplit(post("delivery", "/checkout/delivery/", {"method": delivery.code})).path
        if step.startswith("/checkout/point/"):
            page = get("pickup point", "/checkout/point/")
            points = POINT.findall(page)
            if not points:
                raise StepFailed("pickup point", "no pickup point offered")
            step = urlsplit(post("pickup point", "/checkout/point/", {"point": points[0]})).path
        if step.startswith("/checkout/address/"):
            post("address", "/checkout/address/", {
                "address_line1": "Testowa 1", "postcode": postcode, "city": city, "country": country},
                "/checkout/payment/")
        get("payment", "/checkout/payment/", f'value="{payment.code}"')
        post("payment", "/checkout/payment/", {"method": payment.code}, "/checkout/review/")
        hidden = {m["name"]: m["value"] for m in HIDDEN.finditer(get("review", "/checkout/review/"))}
        if set(hidden) != {"token", "fingerprint"}:
            raise StepFailed("review", "the review page has no order form")
        result.order_key = hidden["token"]
        location = post("place", "/checkout/place/", hidden)
        target = urlsplit(urljoin(base + "/", location))
        order = Order.objects.filter(idempotency_key=result.order_key, synthetic=True).first()
        if order is None:
            raise StepFailed("place", "no order was written")
        if target.netloc != urlsplit(base).netloc:
            result.gateway_url = location  # an online gateway's page: its payment session exists
        elif not target.path.startswith(order.get_absolute_url()):
            # The shop could not start the payment (or placed nothing): the customer lands elsewhere.
            raise StepFailed("place", f"sent to {target.path} instead of the payment page or the order")
        elif not adapter_for(payment).offline:
            raise StepFailed("gateway", "the online payment did not start (the order page says why)")
        if result.gateway_url:
            back = gateway_pay(payment, order, result.gateway_url, result)
            if back:
                started = time.monotonic()
                shopper_return(client, back)
                result.payment_id = payment_captured_wait(order, result, started).pk
        get("order page", order.get_absolute_url(), order.number)
        result.steps.append({"step": "order page", "ok": True})
    return result


def shopper_return(client, back: str):
    """The gateway sends the shopper back to the order page with ?payment=<key>: the shop asks the gateway (and
    captures an approved payment), then shows the plain order page."""
    try:
        response = client.get(back)
    except httpx.HTTPError as error:
        raise StepFailed("captured", f"the return to the shop got no answer ({type(error).__name__})") from None
    if response.status_code not in (200, 302):
        raise StepFailed("captured", f"the return to the shop answered HTTP {response.status_code}")
