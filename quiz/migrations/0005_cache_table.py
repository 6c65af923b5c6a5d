from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The throttle counts live in a database cache table when there is no Redis
    # (settings.CACHES["throttle"]); creating it here means `migrate` is all a deploy needs.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("quiz", "0004_instructors_unlock_and_reset")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
