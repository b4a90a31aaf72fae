"""/metrics: off by default, token or allowed address, and figures that match the database and the cache."""

import ipaddress
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from steadfast.heartbeat.beats import heartbeat_record
from steadfast.notify.outbox import outbox_add
from steadfast.providers.models import Attempt, Provider
from steadfast.synthetic.models import SyntheticRun

pytestmark = pytest.mark.django_db
TOKEN = "m" * 32


def samples(response) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.content.decode()) for s in family.samples}


def test_off_until_configured_then_token_or_allowed_address_only(client, settings):
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = [ipaddress.ip_network("10.0.0.0/8")]
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    settings.METRICS_ALLOWED_IPS = [ipaddress.ip_network("127.0.0.1/32")]
    assert client.get("/metrics").status_code == 200


def test_figures_match_the_shop(client, settings, make_variant, details, shop_defaults):
    from steadfast.checkout.services import order_place

    settings.METRICS_TOKEN = TOKEN
    variant = make_variant(stock=5)
    order_place(lines=[(variant.pk, 1)], details=details, idempotency_key="m-1")
    cod = Provider.objects.get(code="cash_on_delivery")
    Attempt.objects.create(provider=cod, operation="probe", outcome="ok", latency_ms=200)
    Attempt.objects.create(provider=cod, operation="probe", outcome="unavailable", latency_ms=400)
    heartbeat_record("worker", timezone.now() - timedelta(minutes=10))
    heartbeat_record("scheduler")
    SyntheticRun.objects.create(payment_method="cash_on_delivery", delivery_method="courier", ok=False,
                                failed_step="place", finished_at=timezone.now())
    from django.db import transaction

    with transaction.atomic():
        outbox_add(key="x", kind="staff_alert", recipient="staff", payload={})
    found = samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"))

    assert found[("steadfast_provider_up", (("kind", "payment"), ("provider", "cash_on_delivery")))] == 1
    assert found[("steadfast_provider_attempts_recent", (("outcome", "unavailable"),
                                                        ("provider", "cash_on_delivery")))] == 1
    assert found[("steadfast_provider_latency_seconds_recent", (("provider", "cash_on_delivery"),))] == 0.3
    assert found[("steadfast_orders", (("status", "awaiting_offline_payment"),))] == 1
    assert found[("steadfast_orders_placed_last_hour", ())] == 1
    assert found[("steadfast_outbox_messages", (("status", "pending"),))] >= 2  # confirmation + alert
    assert found[("steadfast_heartbeat_ok", (("kind", "worker"),))] == 0
    assert found[("steadfast_heartbeat_ok", (("kind", "scheduler"),))] == 1
    assert found[("steadfast_synthetic_checkout_ok", ())] == 0
    assert found[("steadfast_synthetic_checkout_failing", ())] == 1
