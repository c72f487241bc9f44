"""A statement's passage is at least two characters long (MIN_STATEMENT_LENGTH), which
says more than the constraint it replaces (a passage is not empty)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0004_scale_indexes_and_search"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="statement",
            name="statement_passage_not_empty",
        ),
        migrations.AddConstraint(
            model_name="statement",
            constraint=models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start") + 2),
                name="statement_passage_not_too_short",
            ),
        ),
    ]
