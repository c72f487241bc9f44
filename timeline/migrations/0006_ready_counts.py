"""The counts of the whole published record, kept ready for `/` and `/events.json`
(timeline/counts.py): the counts, the changes not counted yet, and the version of the
records they were counted at. They are counted after migrating (post_migrate)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0005_statement_passage_not_too_short"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecordChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
            ],
            options={
                "verbose_name": "change not counted yet",
            },
        ),
        migrations.CreateModel(
            name="RecordCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "facet",
                    models.CharField(
                        choices=[
                            ("count", "Published events"),
                            ("axis", "Events in a year"),
                            ("kind", "Events of a kind"),
                            ("origin", "Events reported by a source of an origin"),
                            ("actor", "Events involving an actor"),
                            ("place", "Events at a place"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        blank=True,
                        help_text="The year, kind or origin, or the actor's or place's slug; empty for the number of events.",
                        max_length=120,
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        blank=True, help_text="The actor's or place's name.", max_length=200
                    ),
                ),
                ("n", models.PositiveIntegerField(verbose_name="events")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("facet", "key"), name="one_count_per_choice")
                ],
            },
        ),
        migrations.CreateModel(
            name="RecordVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("number", models.PositiveBigIntegerField()),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="one_record_version")
                ],
            },
        ),
    ]
