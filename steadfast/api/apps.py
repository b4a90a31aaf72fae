from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "steadfast.api"
    label = "api"
