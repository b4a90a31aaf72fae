from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "steadfast.notify"
    label = "notify"

    def ready(self):
        from steadfast.notify.alerts import staff_alert_health
        from steadfast.providers.signals import health_changed

        health_changed.connect(staff_alert_health, dispatch_uid="notify-staff-alert-health")
        from steadfast.notify import webhooks  # noqa: F401  connects the ESP bounce receiver
