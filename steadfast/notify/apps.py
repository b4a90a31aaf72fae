from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "steadfast.notify"
    label = "notify"
    # Staff alerts about provider health are decided (grouped per outage) in providers/alerting.py, which writes
    # them through outbox_add() and staff_alert_recipients() from notify.alerts.

    def ready(self):
        from steadfast.notify import webhooks  # noqa: F401  connects the ESP bounce receiver
