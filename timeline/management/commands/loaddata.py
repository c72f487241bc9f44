"""Django's loaddata, with history recording paused while it loads, and without the
ready counts.

Loading data is not an editor's change: the rows, and any history the file
holds (a backup from ``dumpdata timeline``), are written as they were saved.
Without the pause, each many-to-many list that loaddata sets would record a new
history row, whose id could collide with a history row still to be restored.

The ready counts such a backup holds (timeline/counts.py) are left out: they are
counted again from the loaded records once the load commits, as after any change.
"""

from django.core.management.commands import loaddata
from django.test.utils import override_settings

from timeline.counts import DERIVED


class Command(loaddata.Command):
    help = (
        loaddata.Command.help
        + " History is not recorded while loading; the ready counts are counted afresh."
    )

    def handle(self, *fixture_labels, **options):
        derived = [model._meta.label for model in DERIVED]
        options["exclude"] = [*options.get("exclude", []), *derived]
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            return super().handle(*fixture_labels, **options)
