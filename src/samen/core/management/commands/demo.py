from django.conf import settings
from django.core.management.base import BaseCommand

from samen.core import demo


class Command(BaseCommand):
    help = "Load the demo municipalities Samenstad and Tweestad with their users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Only when no municipality exists yet."
        )

    def handle(self, if_empty, **options):
        from samen.core.models import Municipality

        if if_empty and Municipality.objects.exists():
            self.stdout.write("Database already has municipalities; demo not loaded.")
            return
        demo.load()
        users = "coordinator, caseworker, partner, welzijn, programme, volunteer (Samenstad), caseworker-tweestad"
        self.stdout.write(self.style.SUCCESS("Demo loaded: Samenstad and Tweestad."))
        self.stdout.write(f"Demo logins: {users}; password: {settings.SAMEN_DEMO_PASSWORD}")
