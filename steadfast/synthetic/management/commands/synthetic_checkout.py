from django.core.management.base import BaseCommand

from steadfast.synthetic.services import synthetic_checkout_round


class Command(BaseCommand):
    help = "Run one synthetic checkout round now (each payment and delivery method) and print the results."

    def handle(self, *args, **options):
        runs = synthetic_checkout_round()
        for run in runs:
            result = "ok" if run.ok else f"FAILED at {run.failed_step}: {run.detail}"
            self.stdout.write(f"{run.payment_method:<20} {run.delivery_method:<20} {run.order_number:<10} {result}")
        if not runs:
            self.stdout.write("Nothing to check: no enabled payment or delivery method.")
        if any(not run.ok for run in runs):
            raise SystemExit(1)
