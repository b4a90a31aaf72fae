from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "steadfast.security"
    verbose_name = "Abuse resistance"

    def ready(self):
        from axes.signals import user_locked_out

        from steadfast.security import checks  # noqa: F401 (registers the deploy check)
        from steadfast.security.logins import alert_lockout

        user_locked_out.connect(alert_lockout, dispatch_uid="security-alert-lockout")
