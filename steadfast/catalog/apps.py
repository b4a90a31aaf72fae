from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "steadfast.catalog"
    label = "catalog"
