from django.db import migrations


def create(apps, schema_editor):
    Policy = apps.get_model("status", "Policy")
    Policy.objects.get_or_create(
        condition="payments_online_out",
        defaults={
            "name": "All online payment gateways out",
            "actions": ["offline_first", "banner", "incident"],
        },
    )


def remove(apps, schema_editor):
    apps.get_model("status", "Policy").objects.filter(
        condition="payments_online_out", name="All online payment gateways out"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("status", "0002_policy")]

    operations = [migrations.RunPython(create, remove)]
