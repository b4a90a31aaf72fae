from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "steadfast.payments"
    label = "payments"
