from django.contrib.auth.management import create_permissions
from django.db import migrations

DOMAINS = [
    ("1", "Data Engineering", 20, [
        ("1.1", "Create data repositories for ML"),
        ("1.2", "Identify and implement a data ingestion solution"),
        ("1.3", "Identify and implement a data transformation solution"),
    ]),
    ("2", "Exploratory Data Analysis", 24, [
        ("2.1", "Sanitize and prepare data for modeling"),
        ("2.2", "Perform feature engineering"),
        ("2.3", "Analyze and visualize data for ML"),
    ]),
    ("3", "Modeling", 36, [
        ("3.1", "Frame business problems as ML problems"),
        ("3.2", "Select the appropriate model(s) for a given ML problem"),
        ("3.3", "Train ML models"),
        ("3.4", "Perform hyperparameter optimization"),
        ("3.5", "Evaluate ML models"),
    ]),
    ("4", "Machine Learning Implementation and Operations", 20, [
        ("4.1", "Build ML solutions for performance, availability, scalability, resiliency, "
                "and fault tolerance"),
        ("4.2", "Recommend and implement the appropriate ML services and features"),
        ("4.3", "Apply basic AWS security practices to ML solutions"),
        ("4.4", "Deploy and operationalize ML solutions"),
    ]),
]

INSTRUCTOR_PERMISSIONS = [
    ("questions", "question", ["add", "change", "view"]),
    ("questions", "choice", ["add", "change", "delete", "view"]),
    ("questions", "tag", ["add", "change", "view"]),
    ("questions", "topic", ["view"]),
    ("questions", "domain", ["view"]),
    ("questions", "blueprint", ["view"]),
]


def create_blueprint(apps, schema_editor):
    Blueprint = apps.get_model("questions", "Blueprint")
    Domain = apps.get_model("questions", "Domain")
    Topic = apps.get_model("questions", "Topic")
    blueprint = Blueprint.objects.create(
        code="mls-c01",
        name="AWS Certified Machine Learning – Specialty (MLS-C01)",
        question_count=65,
        minutes=180,
        score_min=100,
        score_max=1000,
        pass_mark=750,
        is_default=True,
    )
    for code, name, weight, topics in DOMAINS:
        domain = Domain.objects.create(blueprint=blueprint, code=code, name=name, weight=weight)
        for topic_code, topic_name in topics:
            Topic.objects.create(domain=domain, code=topic_code, name=topic_name)


def remove_blueprint(apps, schema_editor):
    apps.get_model("questions", "Blueprint").objects.filter(code="mls-c01").delete()


def create_instructors(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Instructors")
    for app_label, model, actions in INSTRUCTOR_PERMISSIONS:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


def remove_instructors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Instructors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_blueprint, remove_blueprint),
        migrations.RunPython(create_instructors, remove_instructors),
    ]
