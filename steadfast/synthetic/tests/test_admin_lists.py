"""Staff's order and payment lists: customers' by default, the probe's test orders and payments on request; a test
payment whose money is still out stays in the default payment list until it is back."""

from dataclasses import replace

import pytest

from steadfast.checkout.services import order_place
from steadfast.payments.models import Payment
from steadfast.providers.models import Provider
from steadfast.synthetic.product import synthetic_variant

pytestmark = pytest.mark.django_db


def listed(admin_client, url, orders) -> set:
    page = admin_client.get(url).content.decode()
    return {order.number for order in orders if f">{order.number}<" in page}


def test_lists_show_customers_by_default_and_test_orders_on_request(admin_client, details, make_variant,
                                                                    shop_defaults):
    card = Provider.objects.create(kind="payment", code="card", adapter="stripe", name="Card", priority=5)
    real, _ = order_place(lines=[(make_variant(stock=5).pk, 1)], details=details, idempotency_key="real")
    probe = [order_place(lines=[(synthetic_variant().pk, 1)], details=replace(details), idempotency_key=f"p{n}",
                         synthetic=True)[0] for n in range(3)]
    for order, state in zip([real, *probe], ["succeeded", "refunded", "succeeded", "cancelled"], strict=True):
        Payment.objects.create(order=order, provider=card, amount=order.total, currency=order.currency, state=state)
    everyone = [real, *probe]

    assert listed(admin_client, "/admin/orders/order/", everyone) == {real.number}
    assert listed(admin_client, "/admin/orders/order/?synthetic=test", everyone) == {o.number for o in probe}
    # The refunded and the cancelled test payments are hidden; the one still charged (refund failed) is not.
    assert listed(admin_client, "/admin/payments/payment/", everyone) == {real.number, probe[1].number}
    assert listed(admin_client, "/admin/payments/payment/?synthetic=test", everyone) == {o.number for o in probe}
