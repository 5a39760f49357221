from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from samen.core import services


class Command(BaseCommand):
    help = (
        "Issue a one-time two-factor enrolment code for USERNAME (valid 7 days), e.g. for the "
        "first administrator; prints it alone on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        raw = services.issue_enrolment_code(actor=None, user=user)
        self.stderr.write(
            f"Give this code to {username} in person or by phone; it works once, for 7 days,"
            f" at /account/tweestapsverificatie/."
        )
        self.stdout.write(raw)
