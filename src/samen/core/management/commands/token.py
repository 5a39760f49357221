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
        parser.add_argument(
            "--days",
            type=int,
            default=ApiToken.DEFAULT_DAYS,
            help=f"Days until the token expires (default {ApiToken.DEFAULT_DAYS}, at most {ApiToken.MAX_DAYS}).",
        )

    def handle(self, username, name, days, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        if not 1 <= days <= ApiToken.MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {ApiToken.MAX_DAYS}.")
        token, raw = ApiToken.issue(user, name=name, days=days)
        self.stderr.write(
            "Store this token now: only its hash is kept. Use it as 'Authorization: Bearer <token>'."
            f" It expires on {token.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        self.stdout.write(raw)
