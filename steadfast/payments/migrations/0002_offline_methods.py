from django.db import migrations

OFFLINE = [
    ("cash_on_delivery", "cash_on_delivery", "Cash on delivery", "Pay the courier in cash or by card.", 200),
    ("bank_transfer", "bank_transfer", "Bank transfer", "We send the account details; we ship when the money arrives.", 210),
]


def add_offline_methods(apps, schema_editor):
    Provider = apps.get_model("providers", "Provider")
    for code, adapter, name, description, priority in OFFLINE:
        Provider.objects.get_or_create(
            code=code,
            defaults={"kind": "payment", "adapter": adapter, "name": name, "description": description, "priority": priority},
        )


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("providers", "0001_initial")]
    operations = [migrations.RunPython(add_offline_methods, migrations.RunPython.noop)]
