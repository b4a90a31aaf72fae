from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "steadfast.payments"
    label = "payments"

    def ready(self):
        from steadfast.payments.recovery import payment_recovery_on_health
        from steadfast.providers.signals import health_changed

        health_changed.connect(payment_recovery_on_health, dispatch_uid="payments-recovery-emails")
