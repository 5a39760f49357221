from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from samen.core.models import ApiToken


class Command(BaseCommand):
    help = "Issue a new personal API token for USERNAME; prints it alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="samen token", help="A label to recognise the token by."
        )

    def handle(self, username, name, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        _token, raw = ApiToken.issue(user, name=name)
        self.stderr.write(
            "Store this token now: only its hash is kept. Use it as 'Authorization: Bearer <token>'."
        )
        self.stdout.write(raw)
