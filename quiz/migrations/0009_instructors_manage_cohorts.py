from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Instructors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="quiz",
            codename__in=["add_cohort", "change_cohort", "view_cohort"],
        )
    )


class Migration(migrations.Migration):
    """Instructors create and run their cohorts."""

    dependencies = [("quiz", "0008_cohorts")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
