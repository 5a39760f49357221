import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1/ (committed as docs/openapi.json)."

    def handle(self, **options):
        from samen.api import api

        self.stdout.write(
            json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=False)
        )
