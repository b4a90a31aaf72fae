from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "steadfast.shipping"
    label = "shipping"
