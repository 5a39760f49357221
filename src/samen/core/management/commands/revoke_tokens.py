from django.core.management.base import BaseCommand
from django.utils import timezone

from samen.core.models import ApiToken


class Command(BaseCommand):
    help = "Revoke every active API token of USERNAME."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        count = ApiToken.objects.filter(user__username=username, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.stdout.write(f"Revoked {count} token(s) of {username}.")
