"""The "Editors" group: exactly the permissions curation needs.

Editors add, change, view and delete the timeline's records (events, the actors'
parts in them, statements and their relays, links between events, numbers,
corrections, sources, actors and places). Deletions are recorded
in the history and refused where a record is still in use. They get nothing
else: no users, no groups, no sign-in records.
"""

EDITORS = "Editors"
MODELS = ["event", "eventactor", "statement", "relay", "eventlink", "quantity", "correction",
          "point", "statementlink",
          "source", "actor", "place"]  # fmt: skip
ACTIONS = ["add", "change", "delete", "view"]
CODENAMES = [f"{action}_{model}" for model in MODELS for action in ACTIONS]


def ensure_editors_group(group_model, permission_model, codenames=CODENAMES):
    """Create the group if it is missing and give it exactly the editors' permissions
    (``codenames``: a migration gives those of its time)."""
    permissions = permission_model.objects.filter(
        content_type__app_label="timeline", codename__in=codenames
    )
    if permissions.count() != len(codenames):
        raise LookupError("The timeline's permissions are missing: run migrate.")
    group, _ = group_model.objects.get_or_create(name=EDITORS)
    group.permissions.set(permissions)
    return group


def restore_editors_group(sender, using="default", **kwargs):
    """post_migrate: the data migration made the group once; a flush (tests, a reset
    database) removes it, and a migration may add records editors curate (whose
    permissions exist only from now), so set it right whenever migrate or flush has run."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # The timeline's permissions first: auth's own post_migrate may come after this one.
    create_permissions(sender, verbosity=0, using=using)
    ensure_editors_group(Group, Permission)
