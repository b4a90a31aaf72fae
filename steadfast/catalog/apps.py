from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CatalogConfig(AppConfig):
    name = "steadfast.catalog"
    label = "catalog"

    def ready(self):
        from steadfast.catalog.cache import catalog_changed

        for model_name in ("Category", "Product", "Variant", "ProductImage"):
            model = self.get_model(model_name)
            post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-version-save-{model_name}")
            post_delete.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-version-delete-{model_name}")
