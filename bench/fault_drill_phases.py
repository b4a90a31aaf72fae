"""The fault drill's phases (bench/fault_drill.py): which fault each group of customers meets, the hang and
recovery measurements, and the webhook redelivery at the end. `drill` is the drill's Drill (its customers and fakes);
the shop's address and page timer are handed in by the drill."""

import threading
import time

import httpx

from steadfast.providers.breaker import breaker_reset
from steadfast.providers.models import Provider


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reset(drill):
    drill.stripe.set_fault("ok")
    drill.paypal.set_fault("ok")
    for provider in Provider.objects.filter(code__in=("stripe", "paypal")):
        breaker_reset(provider)


def phases(drill):
    stripe, paypal = drill.stripe, drill.paypal
    yield "healthy", {}
    stripe.set_fault("status", status=503)
    yield "card 503", {}
    stripe.stop()
    yield "card refused", {}
    stripe._stopping.clear()
    stripe.start()
    stripe.set_fault("malformed")
    yield "card garbage", {}
    yield "card create lost (reset after acting)", {"arm": lambda: stripe.set_fault("reset_after", times=2)}
    yield "card create lost (hang after acting)", {"arm": lambda: stripe.set_fault("hang_after", times=2)}
    webhook_url = stripe.webhook_url
    stripe.webhook_url = f"http://127.0.0.1:{free_port()}/lost/"  # webhooks lost; redelivered at the end

    def status_fails(order):
        stripe.set_fault("status", status=503)
    # The 503 lasts until the next customer presses Pay (the outage ends then): every customer of the phase pays by
    # card and meets it, rather than only the first while the rest find card unavailable and never pay by card.
    yield "card paid, webhook lost, status 503", {"between": status_fails, "arm": lambda: stripe.set_fault("ok")}
    stripe.webhook_url = webhook_url

    def capture_lost(order):
        paypal.set_fault("reset_after", times=1)
    yield "paypal capture answer lost", {"between": capture_lost, "prefer": ["paypal", "bank_transfer"]}


def redeliver_webhooks(drill, shop, times=2):
    """Every event the fakes made, delivered `times` more (a lost 200, a provider retrying); non-2xx answers."""
    answers = []
    with httpx.Client(trust_env=False, timeout=30) as client:
        for _ in range(times):
            for event in list(drill.stripe.events):
                body, signature = drill.stripe.event_request(event)
                answers.append(client.post(f"{shop}/payments/webhooks/stripe/", content=body, headers={
                    "Stripe-Signature": signature, "Content-Type": "application/json"}).status_code)
            for event in list(drill.paypal.events):
                body, headers = drill.paypal.webhook_request(event)
                answers.append(client.post(f"{shop}/payments/webhooks/paypal/", content=body,
                                           headers=headers).status_code)
    return len(answers), sum(not 200 <= status < 300 for status in answers)


def hang_phase(drill, page_latencies):
    """Two card customers at once while the card gateway hangs; meanwhile the unrelated page is timed."""
    reset(drill)
    drill.stripe.set_fault("hang")
    done = threading.Event()
    customers = [threading.Thread(target=drill.customer, args=("card hang",)) for _ in range(2)]
    for thread in customers:
        thread.start()
    waiter = threading.Thread(target=lambda: ([t.join() for t in customers], done.set()))
    waiter.start()
    samples = page_latencies(120, stop=done)
    waiter.join()
    return samples


def card_back_after_recovery(drill, shop, methods):
    """Seconds from the card gateway recovering (after its breaker opened) until an order page offers card."""
    reset(drill)
    drill.stripe.set_fault("status", status=503)
    for _ in range(3):
        drill.customer("card 503 (recovery)")
    drill.stripe.set_fault("ok")
    recovered, order = time.monotonic(), drill.order()
    with httpx.Client(base_url=shop, trust_env=False, timeout=30) as browser:
        while time.monotonic() - recovered < 120:
            page = browser.get(order.get_absolute_url()).text
            if ("stripe", "") in methods.findall(page):
                return time.monotonic() - recovered
            time.sleep(1)
    return float("nan")
