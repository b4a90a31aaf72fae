"""Run inside the crash tests' shop database, in a subprocess with the shop's environment:

    python -m steadfast.payments.tests.crashkit setup <code> <api_base>   -> JSON: order id, token, number
    python -m steadfast.payments.tests.crashkit state <order id>          -> JSON: what the database holds
    python -m steadfast.payments.tests.crashkit enqueue reconcile|sweep   -> puts the periodic job on the worker's queue
    python -m steadfast.payments.tests.crashkit finish <order id>         -> runs reconciliation and the outbox sweep
                                                                             here, to completion: what they did, state

The test process never opens the shop's database itself: on SQLite it is a file only the subprocesses use, on
PostgreSQL the test database; either way these commands see exactly what the web and worker processes see.
"""

import json
import sys


def setup(code, api_base):
    from steadfast.catalog.models import Category, Product, Variant
    from steadfast.checkout.services import CheckoutDetails, order_place
    from steadfast.payments.defaults import offline_methods_ensure
    from steadfast.providers.models import Provider
    from steadfast.shipping.defaults import delivery_methods_ensure
    from steadfast.shipping.models import DeliveryMethod

    offline_methods_ensure(Provider)  # a flushed PostgreSQL test database lost what the data migrations seeded
    delivery_methods_ensure(DeliveryMethod)
    Provider.objects.create(kind=Provider.Kind.PAYMENT, code=code, adapter="stripe", name="Card (Stripe)",
                            priority=10, config={"api_base": api_base, "connect_timeout": 1, "read_timeout": 2})
    category, _ = Category.objects.get_or_create(slug="crash", defaults={"name": "Crash"})
    product = Product.objects.create(category=category, name=f"Crash {code}", slug=f"crash-{code}")
    variant = Variant.objects.create(product=product, sku=f"CR-{code}"[:40], price="20.00", stock=5,
                                     options={"size": "M"})
    product.refresh_summary()
    details = CheckoutDetails(email="ann@example.com", phone="+48 600 100 200", full_name="Ann Nowak",
                              delivery_method="courier", payment_method=code, address_line1="ul. Długa 5",
                              postcode="00-950", city="Warszawa", country="PL")
    order, _ = order_place(lines=[(variant.pk, 1)], details=details, idempotency_key=f"crash-{code}")
    return {"order": order.pk, "url": order.get_absolute_url(), "token": order.token, "number": order.number}


def state(order_id):
    from steadfast.notify.models import OutboxMessage
    from steadfast.orders.models import Order

    order = Order.objects.get(pk=order_id)
    return {
        "status": order.status,
        "payments": list(order.payments.values_list("state", flat=True)),
        "paid_events": order.events.filter(to_status="paid").count(),
        "outbox": [{"key": m.key, "kind": m.kind, "status": m.status, "attempts": m.attempts,
                    "leased": m.lease_until is not None}
                   for m in OutboxMessage.objects.filter(order=order)],
    }


def enqueue(job):
    from steadfast.notify.tasks import outbox_sweep_task
    from steadfast.payments.tasks import payments_reconcile_task

    {"reconcile": payments_reconcile_task, "sweep": outbox_sweep_task}[job]()
    return {"enqueued": job}


def finish(order_id):
    from steadfast.notify.tasks import outbox_sweep
    from steadfast.payments.reconcile import payments_reconcile

    reconciled = payments_reconcile()
    did = {"delivered": outbox_sweep(), "resolved": reconciled["resolved"], "refunded": reconciled["refunded"]}
    return {"did": did, "state": state(order_id)}


def main(argv):
    import django

    django.setup()
    command, *args = argv
    commands = {"setup": setup, "state": state, "enqueue": enqueue, "finish": finish}
    print(json.dumps(commands[command](*args)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
