from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "steadfast.orders"
    label = "orders"
