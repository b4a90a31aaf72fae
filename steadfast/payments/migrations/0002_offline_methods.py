from django.db import migrations

from steadfast.payments.defaults import offline_methods_ensure


def add_offline_methods(apps, schema_editor):
    offline_methods_ensure(apps.get_model("providers", "Provider"))


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("providers", "0001_initial")]
    operations = [migrations.RunPython(add_offline_methods, migrations.RunPython.noop)]
