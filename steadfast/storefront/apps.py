from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "steadfast.storefront"
    label = "storefront"
