"""`samen match --municipality SLUG [--json] [--dry-run]`: propose the optimal new matches."""

import json

from django.core.management.base import BaseCommand, CommandError

from samen.core.models import Municipality
from samen.core.tenancy import municipality_scope
from samen.volunteering import matching_run
from samen.volunteering.selectors import CRITERION_LABELS


class Command(BaseCommand):
    help = "Koppel vrijwilligers aan hulpvragen: harde eisen eerst, dan de optimale verdeling."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug, e.g. samenstad")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--dry-run", action="store_true", help="compute and show, store no proposals"
        )

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Onbekende gemeente: {options['municipality']}")
        with municipality_scope(municipality):
            run = matching_run.run_matching(municipality=municipality, dry_run=options["dry_run"])
            result = run.result
            names = {m.volunteer_id: m.volunteer.name for m in run.created}
            titles = {m.need_id: m.need.title for m in run.created}
            if options["dry_run"] or not run.created:
                from samen.volunteering.models import Need, Volunteer

                names = dict(
                    (v.pk, v.name)
                    for v in Volunteer.objects.filter(
                        pk__in=[a.volunteer for a in result.assignments]
                    )
                )
                titles = dict(
                    Need.objects.filter(pk__in=[a.need for a in result.assignments]).values_list(
                        "pk", "title"
                    )
                )
        proposals = [
            {
                "volunteer_id": a.volunteer,
                "volunteer": names.get(a.volunteer, ""),
                "need_id": a.need,
                "need": titles.get(a.need, ""),
                "score": a.score,
                "breakdown": a.breakdown,
                "distance_km": a.distance_km,
            }
            for a in result.assignments
        ]
        summary = {
            "municipality": municipality.slug,
            "volunteers": run.volunteers,
            "needs": run.needs,
            "feasible_pairs": result.feasible_pairs,
            "proposals": len(proposals),
            "objective": result.objective,
            "greedy_objective": result.greedy_objective,
            "certified_optimal": result.certified,
            "stored": not options["dry_run"],
        }
        if options["json"]:
            self.stdout.write(json.dumps({**summary, "matches": proposals}, ensure_ascii=False))
            return
        self.stdout.write(
            f"{municipality.name}: {run.volunteers} vrijwilligers, {run.needs} open hulpvragen, "
            f"{result.feasible_pairs} mogelijke koppelingen."
        )
        for p in proposals:
            parts = ", ".join(
                f"{CRITERION_LABELS[name]} {points}" for name, points in p["breakdown"].items()
            )
            self.stdout.write(
                f"  {p['volunteer']} -> {p['need']}: {p['score']} punten ({parts}; "
                f"{p['distance_km']} km)"
            )
        greedy = result.greedy_objective
        self.stdout.write(
            f"{len(proposals)} voorstellen, totaal {result.objective} punten"
            + (f" (gulzige aanpak: {greedy})" if greedy is not None else "")
            + (" · optimaal (bewezen)" if result.certified else " · NIET bewezen optimaal")
            + ("" if not options["dry_run"] else " · proefdraai, niets opgeslagen")
        )
