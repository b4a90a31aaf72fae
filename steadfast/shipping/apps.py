from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "steadfast.shipping"
    label = "shipping"

    def ready(self):
        from steadfast.shipping import signals  # noqa: F401  (registers the receivers)
