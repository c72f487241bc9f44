"""Count the whole published record into its ready counts, by hand.

They are counted again after every change made through Django (the admin,
``loaddata``, ``generate_timeline``) and after ``migrate``. This is for the rest:
rows changed behind Django's back (SQL typed into ``psql``), or a recount after a
change that failed (it is logged, and the pages count under their time limit until
the next one). Running it again counts again, and leaves the same counts.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from timeline.counts import ready_counts, recount
from timeline.models import RecordChange


class Command(BaseCommand):
    help = "Count the whole published record into the ready counts of `/` and /events.json."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database to count (default: default)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say whether they are current; count nothing."
        )

    def handle(self, *args, database=DEFAULT_DB_ALIAS, dry_run=False, verbosity=1, **options):
        if dry_run:
            ready, _ = ready_counts(database)
            waiting = RecordChange.objects.using(database).count()
            if ready is not None:
                self.stdout.write(f"The ready counts are current: {ready['count']:,} events.")
            else:
                self.stdout.write(
                    f"The ready counts are not current ({waiting:,} change(s) not counted): "
                    "they would be counted."
                )
            return
        recount(database, force=True)
        if verbosity >= 1:
            ready, _ = ready_counts(database)
            self.stdout.write(
                self.style.SUCCESS(f"Counted the published record: {ready['count']:,} events.")
            )
