"""Add a new source document to the timeline from a text file and its metadata.

The file's text is stored exactly as it is (UTF-8), since statements will be
anchored in it character by character. Metadata the document does not show is
left blank, never guessed (see the editorial rules). Editors then record the
events and statements it carries in the admin.
"""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from timeline.models import Origin, Source


class Command(BaseCommand):
    help = "Add a source from a UTF-8 text file, with its metadata."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The document, as a UTF-8 text file.")
        parser.add_argument("--slug", help="Default: from the headline, else the file name.")
        parser.add_argument("--outlet", default="", help="As the document names it.")
        parser.add_argument("--headline", default="")
        parser.add_argument(
            "--published", type=datetime.date.fromisoformat, help="YYYY-MM-DD, if it says."
        )
        parser.add_argument("--published-note", default="")
        parser.add_argument("--dateline", default="")
        parser.add_argument("--language", default="en")
        parser.add_argument("--kind", choices=Source.Kind.values, default=Source.Kind.NEWS_REPORT)
        parser.add_argument("--origin", choices=Origin.values, default=Origin.UNKNOWN)
        parser.add_argument("--relays", default="", help="Whose words it relays, as it says.")
        parser.add_argument("--url", default="")
        parser.add_argument("--dry-run", action="store_true", help="Check it; save nothing.")

    def handle(self, *args, path, dry_run=False, verbosity=1, **meta):
        try:
            # Bytes, decoded: reading as text would rewrite the document's line endings.
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {path}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text: {error}") from error
        slug = meta["slug"] or slugify(meta["headline"])[:100] or slugify(path.stem)
        source = Source(
            slug=slug,
            outlet=meta["outlet"],
            headline=meta["headline"],
            published=meta["published"],
            published_note=meta["published_note"],
            dateline=meta["dateline"],
            language=meta["language"],
            kind=meta["kind"],
            origin=meta["origin"],
            relays=meta["relays"],
            url=meta["url"],
            seed_file=path.name,
            text=text,
        )
        try:
            source.full_clean()
        except ValidationError as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(problems) from error
        if dry_run:
            self.stdout.write(f"Would add the source {slug!r} ({len(text)} characters).")
            return
        with transaction.atomic():
            source._change_reason = f"Added from {path.name}"
            source.save()
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Added the source {slug!r}."))
            self.stdout.write(f"Record its events and statements in the admin: {slug}")
