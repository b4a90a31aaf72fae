from django.apps import AppConfig


class FakesConfig(AppConfig):
    name = "steadfast.fakes"
    label = "fakes"
