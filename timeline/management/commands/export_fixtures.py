"""Write the curated timeline back to ``fixtures/``.

Editors work in the admin; this command turns their work into files that can
be reviewed as a diff and committed. Rows refer to each other by slug (natural
keys), rows and their many-to-many lists come in a stable order, and each part
of the record has its own file, so a diff shows exactly what editors changed.
"""

from pathlib import Path

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError

from timeline.fixtures import FIXTURE_FILES, fixture_dir
from timeline.models import Event


class Command(BaseCommand):
    help = "Write the timeline's data to fixtures/ (one JSON file per part, natural keys)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, default=None, help="Folder to write to (default: fixtures/)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--allow-empty",
            action="store_true",
            help="Write the files even when the database holds no event.",
        )

    def handle(self, *args, output=None, dry_run=False, verbosity=1, **options):
        if not options.get("allow_empty") and not Event.objects.exists():
            # A load that failed leaves an empty database: writing it would empty the
            # curated files.
            raise CommandError(
                "The database holds no event: nothing written. Load the data first, or pass "
                "--allow-empty to write empty files."
            )
        folder = Path(output or fixture_dir())
        changed = 0
        for name, models in FIXTURE_FILES.items():
            objects = []
            for model in models:
                objects.extend(model._default_manager.order_by(*ordering_for(model)))
            text = serializers.serialize(
                "json",
                objects,
                indent=2,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            )
            path = folder / f"{name}.json"
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if old == text + "\n":
                if verbosity >= 2:
                    self.stdout.write(f"{path.name}: unchanged")
                continue
            changed += 1
            if not dry_run:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text + "\n", encoding="utf-8")
            if verbosity >= 1:
                verb = "would write" if dry_run else "wrote"
                self.stdout.write(f"{path.name}: {verb} {len(objects)} rows")
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"{changed} fixture file(s) changed."))


def ordering_for(model) -> list[str]:
    """A total order that does not depend on database ids, so files diff cleanly."""
    orders = {
        "event": ["date_start", "slug"],
        "eventactor": ["event__date_start", "event__slug", "actor__slug"],
        "statement": ["source__slug", "start", "end"],
        "relay": ["statement__source__slug", "statement__start", "position"],
        "eventlink": ["from_event__slug", "relation", "to_event__slug", "source__slug"],
        "quantity": ["source__slug", "start", "end"],
        "point": ["event__date_start", "event__slug", "position", "slug"],
        "statementlink": ["source__slug", "start", "end", "relation", "earlier__uid"],
    }
    return orders.get(model._meta.model_name, ["slug"])
