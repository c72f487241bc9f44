"""The "Editors" group: exactly the permissions curation needs.

Editors add, change, view and delete the timeline's records (events, the actors'
parts in them, statements, sources, actors and places). Deletions are recorded
in the history and refused where a record is still in use. They get nothing
else: no users, no groups, no sign-in records.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editors"
MODELS = ["event", "eventactor", "statement", "source", "actor", "place"]
ACTIONS = ["add", "change", "delete", "view"]


def create_editors(apps, schema_editor):
    # Permissions are normally made after all migrations have run; make the
    # timeline's now, so that the group can be given them on a new database.
    app_config = apps.get_app_config("timeline")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    permissions = Permission.objects.filter(
        content_type__app_label="timeline", codename__in=codenames
    )
    assert permissions.count() == len(codenames), "missing timeline permissions"
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(permissions)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("timeline", "0002_history_and_drafts_without_sources"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
