"""The "Editors" group: exactly the permissions curation needs (timeline/editors.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from timeline.editors import ACTIONS, EDITORS, ensure_editors_group

# The records editors curated when this migration was written (later ones are added to
# the group after each migrate: timeline/editors.py).
MODELS = ["event", "eventactor", "statement", "source", "actor", "place"]


def create_editors(apps, schema_editor):
    # Permissions are normally made after all migrations have run; make the
    # timeline's now, so that the group can be given them on a new database.
    app_config = apps.get_app_config("timeline")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    ensure_editors_group(
        apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), codenames
    )


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("timeline", "0002_history_and_drafts_without_sources"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
