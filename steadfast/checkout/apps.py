from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "steadfast.checkout"
    label = "checkout"
