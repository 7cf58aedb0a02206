"""Create a staff account for clinic staff, in the 'Content editors' group."""

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from workflow.roles import EDITORS as EDITORS_GROUP


class Command(BaseCommand):
    help = (
        "Create a staff account that can edit content but not manage users. The password is read "
        "from DJANGO_EDITOR_PASSWORD, or asked for."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--group", default=EDITORS_GROUP, help="Group to join (default: Content editors).")

    def handle(self, *args, username, email, group, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called '{username}' already exists.")
        try:
            staff_group = Group.objects.get(name=group)
        except Group.DoesNotExist as error:
            raise CommandError(f"There is no group called '{group}'. Run 'manage.py migrate' first.") from error

        password = os.environ.get("DJANGO_EDITOR_PASSWORD") or getpass.getpass("Password: ")
        user = User(username=username, email=email, is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user.set_password(password)
        user.save()
        user.groups.add(staff_group)
        self.stdout.write(f"Created staff account '{username}' in '{group}'. Sign in at /admin/.")
