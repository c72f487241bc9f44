"""A link between events stands on a passage of its source, anchored like a statement."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('timeline', '0013_former_slugs_and_corrections'),
    ]

    operations = [
        migrations.AddField(
            model_name=model,
            name=name,
            field=field,
            preserve_default=False,
        )
        for model in ('eventlink', 'historicaleventlink')
        for name, field in (
            ('text', models.TextField(default='', help_text='The words of the source that make the link, exactly as there: “After 24 hours, a cease-fire was reached”.', verbose_name='passage')),
            ('start', models.PositiveIntegerField(default=0, editable=False)),
            ('end', models.PositiveIntegerField(default=0, editable=False)),
        )
    ]
