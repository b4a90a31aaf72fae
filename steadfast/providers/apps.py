from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "steadfast.providers"
    label = "providers"
