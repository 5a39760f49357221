from django.core.management.base import BaseCommand, CommandError

from samen.activities import services
from samen.core.models import Municipality, Organisation
from samen.core.tenancy import municipality_scope


class Command(BaseCommand):
    help = "Import an iCalendar, RSS/Atom or JSON-LD feed (URL or local path) for an organisation."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="Slug of the municipality.")
        parser.add_argument("--organisation", required=True, help="Id or slug of the organisation.")
        parser.add_argument("source", help="URL (https://, webcal://) or path of the feed.")

    def handle(self, municipality, organisation, source, **options):
        place = Municipality.objects.filter(slug=municipality).first()
        if place is None:
            raise CommandError(f"No municipality {municipality!r}.")
        with municipality_scope(place):
            lookup = {"pk": int(organisation)} if organisation.isdigit() else {"slug": organisation}
            org = Organisation.objects.filter(**lookup).first()
            if org is None:
                raise CommandError(f"No organisation {organisation!r} in {place.name}.")
            feed = services.add_feed(organisation=org, url=source)
            result = services.import_feed(feed=feed, local_files=True)
        if result.error:
            raise CommandError(f"Feed not imported: {result.error}")
        self.stdout.write(
            f"{org.name}: {result.created} created, {result.updated} updated, {result.deleted} deleted, "
            f"{result.unchanged} unchanged" + (" (not modified)" if result.not_modified else "")
        )
