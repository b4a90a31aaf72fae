from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "steadfast.accounting"
    label = "accounting"
    verbose_name = "Accounting"

    def ready(self):
        from steadfast.accounting import signals  # noqa: F401  writes sync rows with every order change
