"""Django's loaddata, with history recording paused while it loads.

Loading data is not an editor's change: the rows, and any history the file
holds (a backup from ``dumpdata timeline``), are written as they were saved.
Without the pause, each many-to-many list that loaddata sets would record a new
history row, whose id could collide with a history row still to be restored.
"""

from django.core.management.commands import loaddata
from django.test.utils import override_settings


class Command(loaddata.Command):
    help = loaddata.Command.help + " History is not recorded while loading."

    def handle(self, *fixture_labels, **options):
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            return super().handle(*fixture_labels, **options)
