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
            content_type__app_label="questions",
            codename__in=["view_report", "change_report"],
        )
    )


class Migration(migrations.Migration):
    """Instructors triage learners' problem reports."""

    dependencies = [("questions", "0005_reports")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
