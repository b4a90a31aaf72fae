from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "steadfast.status"
    label = "status"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from steadfast.status.selectors import partners_cache_clear
        from steadfast.status.signals import on_banner_input_saved

        # What the automatic banner text is written from (besides health events): which methods are enabled.
        for model in ("providers.Provider", "shipping.DeliveryMethod"):
            post_save.connect(on_banner_input_saved, sender=model, dispatch_uid=f"status-banner-{model}-save")
            post_delete.connect(on_banner_input_saved, sender=model, dispatch_uid=f"status-banner-{model}-delete")
        post_save.connect(partners_cache_clear, sender="status.PartnerShop", dispatch_uid="status-partners-save")
        post_delete.connect(partners_cache_clear, sender="status.PartnerShop", dispatch_uid="status-partners-delete")
        try:
            from steadfast.providers.signals import health_changed
        except ImportError:  # provider health not installed: the short cache expiry is all there is
            return
        from steadfast.status.signals import on_health_changed

        health_changed.connect(on_health_changed, dispatch_uid="status-health-changed")
