"""The delivery methods every shop starts with. Used by a data migration and by transactional tests."""

from decimal import Decimal

from django.utils.translation import gettext_noop

# gettext_noop: stored in English, listed in the message catalog so pages can show the seeded names translated.


def delivery_methods_ensure(method_model):
    method_model.objects.get_or_create(
        code="courier",
        defaults={"name": gettext_noop("Courier"), "kind": "fixed", "price": Decimal("4.90"),
                  "free_over": Decimal("100.00"), "description": gettext_noop("Delivered in 1–3 working days."),
                  "position": 10},
    )
    method_model.objects.get_or_create(
        code="pickup",
        defaults={"name": gettext_noop("Pick up in the shop"), "kind": "pickup", "price": Decimal("0.00"),
                  "position": 20,
                  "pickup_address": gettext_noop("ul. Prosta 1, 00-001 Warszawa — Mon–Fri 10:00–18:00")},
    )


def demo_delivery_ensure(method_model):
    """The demo's CDEK courier (live quotes from the CDEK fake), USPS through EasyPost for US addresses (the EasyPost
    fake), and the emergency fixed price that replaces a carrier while it is out. Each only when the demo registered
    its provider; rows staff changed are left alone."""
    providers = method_model._meta.get_field("provider").related_model.objects
    easypost = providers.filter(code="easypost").first()
    if easypost is not None:
        method_model.objects.get_or_create(
            code="easypost-usps", defaults={"name": gettext_noop("USPS Priority (EasyPost)"), "kind": "carrier",
                                            "provider": easypost, "service": "USPS:Priority", "countries": ["US"],
                                            "position": 16})
    provider = providers.filter(code="cdek").first()
    if provider is None:
        return
    method_model.objects.get_or_create(
        code="cdek", defaults={"name": gettext_noop("CDEK courier"), "kind": "carrier", "provider": provider,
                               "service": "137", "position": 15})
    method_model.objects.get_or_create(
        code="standard-parcel",
        defaults={"name": gettext_noop("Standard parcel"), "kind": "emergency", "price": Decimal("15.00"),
                  "description": gettext_noop("Shipped within 2 working days; tracking number by e-mail."),
                  "position": 40})
