from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "steadfast.cart"
    label = "cart"
