"""``manage.py create_ptl USERNAME --project NAME``: the first PTL of a project (production set-up).

Creates the account if it does not exist (asking for its password, or reading
``DJANGO_PTL_PASSWORD`` with ``--noinput``), creates the project and its PTL group
(``<project>-ptl``) if they do not exist, and puts the account in that group. ``--superuser``
also makes it staff and superuser, for the admin site. Running it again changes nothing.
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from squads import services
from squads.models import Project

PASSWORD_ENV = "DJANGO_PTL_PASSWORD"


class Command(BaseCommand):
    help = "Create (or take) an account and make it the PTL of a project, creating the project."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--project", required=True, help="Project name, e.g. tripleo.")
        parser.add_argument("--title", default="", help="The project's title, if it is created.")
        parser.add_argument("--email", default="", help="The account's e-mail, if it is created.")
        parser.add_argument(
            "--superuser", action="store_true", help="Also staff and superuser (the admin site)."
        )
        parser.add_argument(
            "--noinput",
            action="store_true",
            help=f"Ask nothing: a new account's password comes from {PASSWORD_ENV}.",
        )

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        username = str(options["username"])
        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            password = self.new_password(username, noinput=bool(options["noinput"]))
        with transaction.atomic():
            if user is None:
                user = User.objects.create_user(
                    username=username, email=str(options["email"]), password=password
                )
                self.stdout.write(f"Created the account {username}.")
            if options["superuser"] and not (user.is_staff and user.is_superuser):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
                self.stdout.write(f"{username} is staff and superuser (the admin site).")
            name = str(options["project"])
            project = Project.objects.filter(name=name).first()
            if project is None:
                group, _ = Group.objects.get_or_create(name=f"{name}-ptl")
                project = services.project_create(
                    actor=None, name=name, title=str(options["title"]), ptl_group=group
                )
                self.stdout.write(f"Created the project {name} (PTL group {group.name}).")
            if services.ptl_appoint(project=project, user=user, actor=None):
                self.stdout.write(f"{username} is a PTL of {name}.")
            else:
                self.stdout.write(f"{username} already was a PTL of {name}.")

    def new_password(self, username: str, *, noinput: bool) -> str:
        if noinput:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password:
                raise CommandError(f"{PASSWORD_ENV} is not set: the new account needs a password.")
        else:
            password = getpass.getpass(f"Password for {username}: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            validate_password(password, get_user_model()(username=username))
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from None
        return password
