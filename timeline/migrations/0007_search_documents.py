"""One search document per event (``timeline.models.SearchDocument``): its title,
summary and statements' texts in one row, so that a search is one indexed lookup.

- the table, on every database, and a document for each event there already is;
- on PostgreSQL only (SQLite has no such type, so it is not in the model, and
  makemigrations does not see it): ``words``, a stored ``tsvector`` column generated
  from the text, with a GIN index, which ``timeline.querysets.WordsMatch`` asks;
- the GIN indexes of migration 0004 on events' titles and summaries and on statements'
  texts go: nothing asks them any more.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

WORDS = "to_tsvector('simple'::regconfig, text)"
# Events whose documents are written at a time while filling the table.
BATCH = 2_000

initial = importlib.import_module("timeline.migrations.0004_scale_indexes_and_search")


def fill_documents(apps, schema_editor):
    """A document for each event: its title, summary and statements, one per line.
    (``timeline.models.write_search_documents`` writes them in one statement; a
    migration keeps to the models of its own time.)"""
    using = schema_editor.connection.alias
    Event = apps.get_model("timeline", "Event")
    Statement = apps.get_model("timeline", "Statement")
    SearchDocument = apps.get_model("timeline", "SearchDocument")
    ids = list(Event.objects.using(using).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        lines = {}
        statements = Statement.objects.using(using).filter(event__in=batch).order_by("pk")
        for event, text in statements.values_list("event_id", "text"):
            lines.setdefault(event, []).append(text)
        events = Event.objects.using(using).filter(pk__in=batch).order_by()
        SearchDocument.objects.using(using).bulk_create(
            SearchDocument(event_id=pk, text="\n".join([title, summary, *lines.get(pk, [])]))
            for pk, title, summary in events.values_list("pk", "title", "summary")
        )


def add_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE timeline_searchdocument"
        f" ADD COLUMN words tsvector GENERATED ALWAYS AS ({WORDS}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX search_document_words ON timeline_searchdocument USING gin (words)"
    )
    initial.drop_search_indexes(apps, schema_editor)


def drop_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    initial.create_search_indexes(apps, schema_editor)
    schema_editor.execute("DROP INDEX IF EXISTS search_document_words")
    schema_editor.execute("ALTER TABLE timeline_searchdocument DROP COLUMN IF EXISTS words")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0006_ready_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="timeline.event",
                    ),
                ),
                ("text", models.TextField()),
            ],
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(add_words, drop_words, elidable=False),
    ]
