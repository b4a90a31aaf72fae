"""What /metrics reports, read from the database and the shared cache at scrape time (every node reports the same
shop). Gauges only: the figures are the shop's state, not this process's counters."""

from datetime import timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from steadfast.heartbeat.beats import KINDS, heartbeats_status
from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order
from steadfast.providers.models import Attempt, Provider
from steadfast.status.components import provider_health

RECENT = timedelta(minutes=5)
BREAKER_STATES = ("closed", "open", "half_open", "disabled")


class ShopCollector:
    def collect(self):
        now = timezone.now()
        yield from self._providers(now)
        yield from self._outbox()
        yield from self._orders(now)
        yield from self._heartbeats(now)
        yield from self._synthetic()

    def _providers(self, now):
        providers = list(Provider.objects.all())
        health = provider_health([p for p in providers if p.enabled])
        up = GaugeMetricFamily("steadfast_provider_up", "1 when the provider is enabled and its breaker closed",
                               labels=["provider", "kind"])
        breaker = GaugeMetricFamily("steadfast_provider_breaker_state", "1 for the breaker's current state",
                                    labels=["provider", "state"])
        for provider in providers:
            state = health[provider.id].state if provider.id in health else "disabled"
            up.add_metric([provider.code, provider.kind], 1.0 if state == "closed" else 0.0)
            for name in BREAKER_STATES:
                breaker.add_metric([provider.code, name], 1.0 if state == name else 0.0)
        yield up
        yield breaker
        attempts = GaugeMetricFamily("steadfast_provider_attempts_recent", "Calls in the last 5 minutes by outcome",
                                     labels=["provider", "outcome"])
        latency = GaugeMetricFamily("steadfast_provider_latency_seconds_recent",
                                    "Average call latency over the last 5 minutes", labels=["provider"])
        rows = (Attempt.objects.filter(created_at__gte=now - RECENT).values("provider__code", "outcome")
                .annotate(n=Count("pk"), ms=Avg("latency_ms")))
        latencies = {}
        for row in rows:
            attempts.add_metric([row["provider__code"], row["outcome"]], row["n"])
            total, count = latencies.get(row["provider__code"], (0.0, 0))
            latencies[row["provider__code"]] = (total + float(row["ms"] or 0) * row["n"], count + row["n"])
        for code, (total, count) in sorted(latencies.items()):
            latency.add_metric([code], total / count / 1000)
        yield attempts
        yield latency

    def _outbox(self):
        backlog = GaugeMetricFamily("steadfast_outbox_messages", "Outbox rows by status (pending = backlog)",
                                    labels=["status"])
        counts = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        for status in OutboxMessage.Status.values:
            backlog.add_metric([status], counts.get(status, 0))
        yield backlog

    def _orders(self, now):
        real = Order.objects.filter(synthetic=False)
        by_status = GaugeMetricFamily("steadfast_orders", "Orders by status (synthetic test orders excluded)",
                                      labels=["status"])
        for status, n in real.values_list("status").annotate(n=Count("pk")).values_list("status", "n"):
            by_status.add_metric([status], n)
        yield by_status
        recent = real.aggregate(hour=Count("pk", filter=Q(created_at__gte=now - timedelta(hours=1))))
        yield GaugeMetricFamily("steadfast_orders_placed_last_hour", "Orders placed in the last hour (order rate)",
                                value=recent["hour"])

    def _heartbeats(self, now):
        beats = heartbeats_status(now)
        ok = GaugeMetricFamily("steadfast_heartbeat_ok", "1 when the background beat is fresh", labels=["kind"])
        age = GaugeMetricFamily("steadfast_heartbeat_age_seconds", "Seconds since the last beat", labels=["kind"])
        for kind in KINDS:
            beat = beats.get(kind) or {}
            ok.add_metric([kind], 1.0 if beat.get("ok") else 0.0)
            if beat.get("age_seconds") is not None:
                age.add_metric([kind], beat["age_seconds"])
        yield ok
        yield age

    def _synthetic(self):
        from steadfast.synthetic.services import checkout_health

        health = checkout_health()
        ok = GaugeMetricFamily("steadfast_synthetic_checkout_ok",
                               "1 when the last synthetic checkouts all passed (absent before the first)")
        if health:
            ok.add_metric([], 1.0 if health["ok"] else 0.0)
        yield ok
        failing = GaugeMetricFamily("steadfast_synthetic_checkout_failing", "Payment/delivery pairs failing now")
        failing.add_metric([], len(health.get("failed", [])))
        yield failing
