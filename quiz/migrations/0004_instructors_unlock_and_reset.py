from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("axes", "accessattempt", ["view_accessattempt", "delete_accessattempt"]),
    ("quiz", "learner", ["reset_learner_password"]),
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Instructors")
    for app_label, model, codenames in PERMISSIONS:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model=model,
                codename__in=codenames,
            )
        )


class Migration(migrations.Migration):
    """Instructors unlock locked-out learners and reset their passwords, nothing more."""

    dependencies = [
        ("quiz", "0003_learners"),
        ("questions", "0002_mls_c01_blueprint_and_instructors"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
