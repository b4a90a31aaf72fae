from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "steadfast.notify"
    label = "notify"
