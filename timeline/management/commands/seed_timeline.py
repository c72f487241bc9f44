"""Load the timeline's fixtures into a database that has none of its data yet.

``make run`` calls this on every start. It never touches a database that
already holds timeline data, so editors' work survives a restart; use
``loaddata`` directly to overwrite a database with the fixtures on purpose.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from timeline.fixtures import FIXTURE_FILES, fixture_names
from timeline.history import record_current_versions
from timeline.models import Event, Source


class Command(BaseCommand):
    help = "Load fixtures/ into the database unless it already holds timeline data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say whether it would load; load nothing."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        if Source.objects.exists() or Event.objects.exists():
            if verbosity >= 1:
                self.stdout.write("The database already holds timeline data: nothing loaded.")
            return
        if dry_run:
            self.stdout.write("The database is empty: the fixtures would be loaded.")
            return
        with transaction.atomic():
            call_command("loaddata", *fixture_names(), verbosity=verbosity)
            # Start each record's history here, so editors' first changes show as
            # differences from the data as loaded.
            for model in history_models():
                record_current_versions(model, "Loaded from fixtures")
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {Event.objects.count()} events from {Source.objects.count()} sources."
                )
            )


def history_models():
    return [model for models in FIXTURE_FILES.values() for model in models]
