from django.apps import AppConfig


class HeartbeatConfig(AppConfig):
    name = "steadfast.heartbeat"
    label = "heartbeat"
