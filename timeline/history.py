"""Many-to-many lists in the history, where django-simple-history leaves them to us.

It records an event's places and sources (and a statement's addressees) with every
version it makes as records are saved. Two paths need help: versions made in bulk
(``bulk_history_create`` records no lists) and the revert form (which shows the
record's current lists, not the version's).
"""

from django.db.models import Model


def m2m_fields(model: type[Model]):
    return model.history.model._history_m2m_fields


def target_attname(field) -> str:
    """The column, in the through table, of the row a list entry points at (a place)."""
    through = field.remote_field.through
    return through._meta.get_field(field.m2m_reverse_field_name()).attname


def record_current_versions(model: type[Model], reason: str):
    """One version of every row of ``model``, with its lists as they stand, in bulk."""
    rows = list(model._default_manager.all())
    versions = model.history.bulk_history_create(rows, default_change_reason=reason)
    version_of = {getattr(version, model._meta.pk.attname): version for version in versions}
    history_model = model.history.model
    for field in m2m_fields(model):
        through = field.remote_field.through
        owner = through._meta.get_field(field.m2m_field_name()).attname
        names = [f.attname for f in through._meta.concrete_fields]
        recorded = getattr(history_model, field.name).model
        recorded.objects.bulk_create(
            recorded(history=version_of[getattr(row, owner)], **{n: getattr(row, n) for n in names})
            for row in through.objects.filter(**{f"{owner}__in": version_of}).order_by("pk")
        )
    return versions


def lists_in(version) -> dict[str, list]:
    """The ids in each many-to-many list of a version, by field name."""
    return {
        field.name: [
            getattr(row, target_attname(field)) for row in getattr(version, field.name).all()
        ]
        for field in m2m_fields(version.instance_type)
    }
