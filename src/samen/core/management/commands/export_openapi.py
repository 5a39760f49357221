import json

from django.core.management.base import BaseCommand
from django.test import override_settings

# The committed docs/openapi.json names this example host, whatever SITE_URL the machine that
# exports it has, so that CI's comparison is deterministic. A running Samen serves
# /api/v1/openapi.json with its own SITE_URL.
COMMITTED_SITE_URL = "https://samen.example"


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1/ (committed as docs/openapi.json)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default=COMMITTED_SITE_URL,
            help=f"Server URL without /api/v1 (default {COMMITTED_SITE_URL}, as committed).",
        )

    def handle(self, **options):
        from samen.api import api

        with override_settings(SITE_URL=options["site_url"].rstrip("/")):
            document = api.get_openapi_schema()
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False))
