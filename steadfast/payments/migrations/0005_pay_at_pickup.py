from django.db import migrations

from steadfast.payments.defaults import offline_methods_ensure


def add_pay_at_pickup(apps, schema_editor):
    # get_or_create per code: shops that already have the other offline methods only gain "pay at pickup".
    offline_methods_ensure(apps.get_model("providers", "Provider"))


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_payment_link"), ("providers", "0001_initial")]
    operations = [migrations.RunPython(add_pay_at_pickup, migrations.RunPython.noop)]
