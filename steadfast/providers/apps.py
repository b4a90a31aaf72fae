from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "steadfast.providers"
    label = "providers"

    def ready(self):
        from steadfast.providers.alerting import alerting_health_changed
        from steadfast.providers.signals import health_changed

        # Staff alerts are grouped by episode here and written through notify's outbox API.
        health_changed.connect(alerting_health_changed, dispatch_uid="providers-alerting-health")
