from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _product_saved(sender, instance, raw=False, **kwargs):
    if not raw:  # fixtures load rows as they are
        from steadfast.catalog.services import products_reindex

        products_reindex([instance.pk])


def _category_saved(sender, instance, raw=False, **kwargs):
    if not raw:  # a renamed category renames the search terms of every product below it
        from steadfast.catalog.models import Product
        from steadfast.catalog.services import products_reindex

        ids = Product.objects.filter(category_id__in=instance.descendant_ids()).values_list("pk", flat=True)
        products_reindex(list(ids))


class CatalogConfig(AppConfig):
    name = "steadfast.catalog"
    label = "catalog"

    def ready(self):
        from steadfast.catalog.cache import catalog_changed

        for model_name in ("Category", "Product", "Variant", "ProductImage"):
            model = self.get_model(model_name)
            post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-version-save-{model_name}")
            post_delete.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-version-delete-{model_name}")
        post_save.connect(_product_saved, sender=self.get_model("Product"), dispatch_uid="catalog-search-product")
        post_save.connect(_category_saved, sender=self.get_model("Category"), dispatch_uid="catalog-search-category")
