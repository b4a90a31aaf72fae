from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "steadfast.status"
    label = "status"

    def ready(self):
        try:
            from steadfast.providers.signals import health_changed
        except ImportError:  # provider health not installed: the short cache expiry is all there is
            return
        from steadfast.status.signals import on_health_changed

        health_changed.connect(on_health_changed, dispatch_uid="status-health-changed")
