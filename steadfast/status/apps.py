from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "steadfast.status"
    label = "status"
