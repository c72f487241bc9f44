"""Make an editor's account: staff, in the "Editors" group, able to sign in to the admin.

Editors curate the timeline and nothing else (see the group's migration). The
command prints how to sign in. Run again for an existing account, it puts the
account back in the group and, with --new-password, gives it a fresh password.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from timeline.editors import ensure_editors_group


class Command(BaseCommand):
    help = "Create an editor account (staff, in the Editors group) and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            help="The password to set (default: a random one, printed once).",
        )
        parser.add_argument(
            "--new-password",
            action="store_true",
            help="For an existing account: set a new password.",
        )
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/admin/",
            help="The admin's address, for the sign-in instructions.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what it would do.")

    def handle(self, *args, username, email, password, new_password, url, dry_run, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        creating = user is None
        if creating:
            user = User(username=username, email=email)
        set_password = creating or new_password
        password = password or secrets.token_urlsafe(12)
        if set_password:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        if dry_run:
            verb = "create" if creating else "update"
            self.stdout.write(f"Would {verb} the editor account {username!r}.")
            return
        with transaction.atomic():
            user.is_staff = True
            if email:
                user.email = email
            if set_password:
                user.set_password(password)
            user.save()
            try:
                user.groups.add(ensure_editors_group(Group, Permission))
            except LookupError as error:
                raise CommandError(str(error)) from error
        if options["verbosity"] >= 1:
            done = "Created" if creating else "Updated"
            self.stdout.write(self.style.SUCCESS(f"{done} the editor account {username!r}."))
            self.stdout.write(f"Sign in at {url} as {username}")
            if set_password:
                self.stdout.write(f"with the password: {password}")
                self.stdout.write("Change it after signing in (top right: “Change password”).")
