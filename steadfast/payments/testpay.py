"""Paying a gateway's hosted page as a test shopper, for the synthetic checkout (steadfast/synthetic/).

Two questions per gateway, answered by its adapter:
- test_mode(): are these credentials a test or sandbox account? Decided from the credentials alone (Stripe sk_test_
  keys, YooKassa test_ secret keys, PayPal's sandbox host); anything not recognised is live, and a live account is
  never paid by the probe.
- test_pay(url, client): pay the page the shopper was sent to, without a person. Only a page that is a plain form
  with a Pay button can be paid that way: the fakes' pages (steadfast/fakes), which take the charge and send the
  shopper back like the real ones. The real test pages cannot: Stripe Checkout's page is a script application
  (a Checkout Session has no server-side confirm: its PaymentIntent exists only once the page confirms it),
  YooKassa's test page wants a test card typed in, and a PayPal sandbox approval needs the sandbox buyer to log
  in. There test_pay answers "" and the probe stops at the gateway's page, saying why.
"""

import re

from steadfast.providers.call import check_response
from steadfast.providers.errors import Unavailable

PAY_BUTTON = re.compile(r"""<button[^>]*\bname=['"]action['"][^>]*\bvalue=['"]pay['"]""", re.IGNORECASE)
NEEDS_A_PERSON = "needs a person"


def hosted_page_pay(url: str, client) -> str:
    """Open the page and press Pay, as a browser submits the form; returns where the gateway sends the shopper back,
    or "" when the page is not such a form (nothing was sent but the page's GET)."""
    page = check_response(client.get(url))
    if page.status_code != 200 or not PAY_BUTTON.search(page.text):
        return ""
    answer = check_response(client.post(url, data={"action": "pay"}))
    back = answer.headers.get("location", "")
    if answer.status_code not in (302, 303) or not back.startswith(("http://", "https://")):
        raise Unavailable(f"the payment page did not take the test payment (HTTP {answer.status_code})")
    return back


def loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1", "[::1]")
