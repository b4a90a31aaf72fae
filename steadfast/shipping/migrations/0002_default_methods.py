from django.db import migrations

from steadfast.shipping.defaults import delivery_methods_ensure


def add_default_methods(apps, schema_editor):
    delivery_methods_ensure(apps.get_model("shipping", "DeliveryMethod"))


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_initial")]
    operations = [migrations.RunPython(add_default_methods, migrations.RunPython.noop)]
