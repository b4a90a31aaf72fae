from decimal import Decimal

from django.db import migrations


def add_default_methods(apps, schema_editor):
    DeliveryMethod = apps.get_model("shipping", "DeliveryMethod")
    DeliveryMethod.objects.get_or_create(
        code="courier",
        defaults={"name": "Courier", "kind": "fixed", "price": Decimal("4.90"), "free_over": Decimal("100.00"),
                  "description": "Delivered in 1–3 working days.", "position": 10},
    )
    DeliveryMethod.objects.get_or_create(
        code="pickup",
        defaults={"name": "Pick up in the shop", "kind": "pickup", "price": Decimal("0.00"), "position": 20,
                  "pickup_address": "ul. Prosta 1, 00-001 Warszawa — Mon–Fri 10:00–18:00"},
    )


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_initial")]
    operations = [migrations.RunPython(add_default_methods, migrations.RunPython.noop)]
