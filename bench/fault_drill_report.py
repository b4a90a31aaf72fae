"""The fault drill's printed figures (bench/fault_drill.py): orders by status, payment step times per phase, second
charges against the fakes' own ledgers, stranded and stuck orders, page latency while the card gateway hangs."""

import os
import statistics

from bench.fault_drill_ledger import ledger, stranded, stuck
from steadfast.orders.models import Order, OrderStatus


def p99(samples):
    return statistics.quantiles(samples, n=100)[98] * 1000 if len(samples) > 2 else float("nan")


def report(drill, idle, hanging, back, delivered, refused, settled_after, at_two_minutes, settle):
    charges = ledger(drill)
    twice = [kept for kept in charges.values() if len(kept) >= 2]
    kept_twice = sum(sum(not refunded for refunded in kept) >= 2 for kept in charges.values())
    statuses = dict.fromkeys(OrderStatus.values, 0)
    for status in Order.objects.filter(pk__in=drill.orders).values_list("status", flat=True):
        statuses[status] += 1
    print(f"orders: {len(drill.orders)}; " + ", ".join(f"{k} {v}" for k, v in statuses.items() if v))
    print("payment step (Pay pressed -> answer), per phase: median / max s")
    for phase, seconds in drill.step_seconds.items():
        print(f"  {phase:<40} {statistics.median(seconds):6.2f} / {max(seconds):6.2f}   ({len(seconds)} presses)")
    print(f"second charges at the fakes: {len(twice)} orders charged twice or more ({kept_twice} still kept "
          f"after settling); pages offering another payment after the customer paid: {drill.invited}")
    print(f"stranded orders (not paid, no way to pay offered): {stranded(drill)}")
    print(f"payments stuck after faults clear: at +2 min {at_two_minutes if at_two_minutes is not None else 0}"
          f"; nothing stuck after {settled_after:.0f} s" if settled_after is not None else
          f"payments stuck after faults clear: {stuck(drill)} still after {settle} s")
    hang = drill.step_seconds.get("card hang", [float("nan")])
    print(f"payment step while the card gateway hangs: max {max(hang):.2f} s (budget "
          f"{os.environ.get('PAYMENT_STEP_BUDGET', 8)} s)")
    print(f"unrelated page (GET /api/v1/products) p99: idle {p99(idle):.0f} ms, while 2 card customers hang "
          f"(and go on to pay with PayPal) {p99(hanging):.0f} ms, ratio {p99(hanging) / p99(idle):.2f} "
          f"(target <= 1.2; interleaved figure below)")
    print(f"card offered again {back:.0f} s after the gateway recovered (target <= 60 s)")
    print(f"webhooks redelivered: {delivered}, answered non-2xx: {refused}")
