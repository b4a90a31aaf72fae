"""The synthetic checkout round: every enabled payment method and every enabled delivery method bought at least once
through the storefront (flow.py), a test-mode online payment paid and refunded (paying.py), each order cancelled
(or, paid and refunded, marked refunded) at once with its stock back, each result a SyntheticRun row that feeds provider
health (an Attempt per provider), the "Checkout" component of the status page and staff alerts on a change."""

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.notify.alerts import staff_alert_add
from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import SYSTEM, order_cancel, order_refund
from steadfast.orders.states import UNPAID
from steadfast.payments.models import Payment
from steadfast.payments.routing import fits_delivery
from steadfast.providers.models import Attempt, Provider
from steadfast.providers.registry import adapter_for
from steadfast.shipping.models import DeliveryMethod
from steadfast.synthetic.flow import FlowResult, StepFailed, checkout_run
from steadfast.synthetic.models import SyntheticRun
from steadfast.synthetic.paying import payment_refund_check
from steadfast.synthetic.product import synthetic_variant

log = logging.getLogger("steadfast.synthetic")
OPERATION = "synthetic_checkout"
LEFTOVER_AGE = timedelta(minutes=10)  # older than any run: a running round's own order is never touched


def checkout_plan() -> list[tuple[Provider, DeliveryMethod]]:
    """(payment, delivery) pairs covering each enabled payment method and each enabled delivery method, each pair
    one that a shopper could choose together (pay at pickup only with a pickup, and so on)."""
    payments = list(Provider.objects.filter(kind=Provider.Kind.PAYMENT, enabled=True).order_by("priority", "code"))
    deliveries = list(DeliveryMethod.objects.filter(enabled=True).select_related("provider").order_by("pk"))
    if any(d.kind == DeliveryMethod.Kind.CARRIER and d.provider_id for d in deliveries):
        # The emergency method stands in only while no carrier answers (shipping.quotes): a shopper never sees it
        # next to them, so the probe does not try to buy it; a dead carrier fails its own run instead.
        deliveries = [d for d in deliveries if d.kind != DeliveryMethod.Kind.EMERGENCY]
    pairs, covered = [], set()
    for payment in payments:
        fitting = [d for d in deliveries if fits_delivery(payment, not d.needs_address)]
        if fitting:
            delivery = next((d for d in fitting if d.code not in covered), fitting[0])
            covered.add(delivery.code)
            pairs.append((payment, delivery))
    # Offline methods first: they need no gateway session. A provider of kind payment whose adapter is no gateway
    # (a health-check ping, say) has no `offline` and counts as online.
    offline_first = sorted(payments, key=lambda p: not getattr(adapter_for(p), "offline", False))
    for delivery in deliveries:
        if delivery.code not in covered:
            payment = next((p for p in offline_first if fits_delivery(p, not delivery.needs_address)), None)
            if payment:
                pairs.append((payment, delivery))
    return pairs


def synthetic_checkout_round() -> list[SyntheticRun]:
    variant = synthetic_variant()
    synthetic_leftovers_settle()
    return [synthetic_checkout_one(variant, payment, delivery) for payment, delivery in checkout_plan()]


def synthetic_checkout_one(variant, payment, delivery) -> SyntheticRun:
    run = SyntheticRun.objects.create(payment_method=payment.code, delivery_method=delivery.code)
    started, flow = time.monotonic(), FlowResult()
    try:
        checkout_run(variant, delivery, payment, run.pk, flow)
        if flow.payment_id:
            payment_refund_check(Payment.objects.select_related("order", "provider").get(pk=flow.payment_id), flow)
    except StepFailed as failed:
        run.failed_step, run.detail = failed.step, failed.detail[:500]
        flow.steps.append({"step": failed.step, "ok": False, "detail": failed.detail})
    else:
        run.ok = True
    order = Order.objects.filter(idempotency_key=flow.order_key, synthetic=True).first() if flow.order_key else None
    if order is not None:
        run.order_number = order.number
        synthetic_order_close(order)
    run.steps, run.finished_at = flow.steps, timezone.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        previous = (SyntheticRun.objects.filter(payment_method=payment.code, delivery_method=delivery.code,
                                                finished_at__isnull=False).exclude(pk=run.pk).first())
        run.save()
        _attempts_record(run, payment, delivery)
        if previous is None and not run.ok or previous is not None and previous.ok != run.ok:
            _alert(run, payment, delivery)
    log.log(logging.INFO if run.ok else logging.WARNING, "synthetic checkout %s/%s: %s", payment.code,
            delivery.code, "ok" if run.ok else f"failed at {run.failed_step}: {run.detail}")
    return run


def synthetic_order_close(order):
    """An unpaid test order is cancelled; a paid one whose money came back is marked refunded, its stock returned.
    A paid one whose money is still held (the refund failed) stays paid until the refund goes through."""
    order.refresh_from_db()
    if order.status in UNPAID:
        order_cancel(order, SYSTEM, _("Synthetic checkout: test order cancelled."))
    elif order.status == OrderStatus.PAID and not order.payments.filter(state=Payment.State.SUCCEEDED).exists():
        order_refund(order, SYSTEM, _("Synthetic checkout: test payment refunded, stock returned."), restock=True)


def synthetic_leftovers_settle(now=None):
    """What earlier runs left (a refund refused, a worker killed mid-run): a test charge still held is handed to the
    shop's refund retries (reconciliation), an order whose money is back is closed, an unpaid one cancelled."""
    before = (now or timezone.now()) - LEFTOVER_AGE
    for order in Order.objects.filter(synthetic=True, created_at__lt=before,
                                      status__in=[OrderStatus.PAID, *UNPAID]):
        Payment.objects.filter(order=order, state=Payment.State.SUCCEEDED, refund_due=False).update(
            refund_due=True, updated_at=timezone.now())
        synthetic_order_close(order)


def _attempts_record(run, payment, delivery):
    """The result on each provider's health page (the breaker follows the real calls the flow made)."""
    outcome = Attempt.Outcome.OK if run.ok else Attempt.Outcome.UNAVAILABLE
    message = "" if run.ok else f"{run.failed_step}: {run.detail}"[:500]
    for provider in filter(None, (payment, delivery.provider)):
        Attempt.objects.create(provider=provider, operation=OPERATION, outcome=outcome, message=message,
                               latency_ms=run.duration_ms, reference=run.order_number or f"synthetic-{run.pk}")


def _alert(run, payment, delivery):
    staff_alert_add(key=f"synthetic:{run.pk}", kind="staff_synthetic", payload={
        "ok": run.ok, "payment": payment.name, "delivery": delivery.name, "step": run.failed_step,
        "detail": run.detail, "order": run.order_number, "at": run.started_at.isoformat()})


def checkout_health(runs=None) -> dict:
    """The last result of each current pair: {"ok", "checked_at", "failed": [...], "runs": n} or {} when none ran."""
    plan = {(p.code, d.code) for p, d in checkout_plan()}
    latest = {}
    for run in runs if runs is not None else SyntheticRun.objects.filter(finished_at__isnull=False)[:200]:
        key = (run.payment_method, run.delivery_method)
        if key in plan and key not in latest:
            latest[key] = run
    if not latest:
        return {}
    failed = [r for r in latest.values() if not r.ok]
    return {
        "ok": not failed,
        "checked_at": max(r.finished_at for r in latest.values()).isoformat(),
        "runs": len(latest),
        "failed": [{"payment": r.payment_method, "delivery": r.delivery_method, "step": r.failed_step,
                    "detail": r.detail} for r in failed],
    }
