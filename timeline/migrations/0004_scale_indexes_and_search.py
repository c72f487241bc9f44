"""Indexes for the chronology at scale (100,000 events and more).

- the period filter's far end (the last day an event covers), and an actor's
  events by actor first: both in the models' Meta, on every database;
- full-text search on PostgreSQL: GIN indexes on the very expressions that
  ``timeline.querysets.WordsMatch`` writes, so that PostgreSQL uses them for
  ``EventQuerySet.search``. They exist on PostgreSQL only, so they are not in
  the models' Meta (SQLite could not build them, and makemigrations would
  want them); there, search matches substrings without an index.
"""

import django.db.models.functions.comparison
from django.db import migrations, models

SEARCH_INDEXES = [
    (
        "event_search",
        "timeline_event",
        "to_tsvector('simple'::regconfig, title || ' ' || summary)",
    ),
    ("statement_search", "timeline_statement", "to_tsvector('simple'::regconfig, text)"),
]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, expression in SEARCH_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in SEARCH_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0003_editors_group"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce("date_end", "date_start"),
                name="event_last_day",
            ),
        ),
        migrations.AddIndex(
            model_name="eventactor",
            index=models.Index(fields=["actor", "event"], name="eventactor_actor_event"),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
