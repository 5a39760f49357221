"""The impact dashboard gathers the figures each capability registered (its
`selectors.kpis(year=...)`, see core.capabilities) for one municipality (in its scope).

Counting a year over a million rows takes seconds, so the dashboard, the yearly report, the
exports and the API serve the figures last computed (kept in the cache, with the time they
were computed). Figures older than ten minutes are recomputed by a background task while
the page shows the previous ones; the coordinator can also recompute them at once."""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone, translation

from samen.core import capabilities
from samen.core.kpi import KpiSection, KpiTable
from samen.core.models import Municipality, Organisation, User
from samen.core.suppression import shown

FRESH_FOR = dt.timedelta(minutes=10)
KEEP_SECONDS = 7 * 24 * 3600


@dataclass
class Figures:
    sections: list[KpiSection]
    computed_at: dt.datetime


def _key(municipality: Municipality, year: int, language: str) -> str:
    return f"impact:{municipality.pk}:{year}:{language}"


def figures(*, municipality: Municipality, year: int) -> Figures:
    """The year's figures (inside the municipality's scope): computed now if there are none,
    otherwise the last ones, with a background refresh when they are over ten minutes old."""
    language = translation.get_language()
    found = cache.get(_key(municipality, year, language))
    if found is None:
        return refresh(municipality=municipality, year=year, languages=[language])[language]
    if timezone.now() - found.computed_at > FRESH_FOR and cache.add(
        _key(municipality, year, "refreshing"), True, timeout=300
    ):
        from .tasks import refresh_figures

        refresh_figures.enqueue(municipality.pk, year)
    return found


def refresh(
    *, municipality: Municipality, year: int, languages: list[str] | None = None
) -> dict[str, Figures]:
    """Compute the year's figures (in every language of the interface) and keep them."""
    from django.conf import settings

    result = {}
    for language in languages or [code for code, _name in settings.LANGUAGES]:
        with translation.override(language):
            result[language] = Figures(compute(year=year), timezone.now())
        cache.set(_key(municipality, year, language), result[language], timeout=KEEP_SECONDS)
    cache.delete(_key(municipality, year, "refreshing"))
    return result


def compute(*, year: int) -> list[KpiSection]:
    """Every capability's figures (registered in its AppConfig), straight from the database
    (seconds at a million rows)."""
    return capabilities.kpi_sections(year=year)


def organisation_kpis(*, organisation: Organisation, year: int) -> list[KpiSection]:
    """One organisation's own figures for a year (inside its municipality's scope): what it
    publishes in the hub, the signals it passed on (small counts suppressed; how many led to
    support also when none or all did, or it would learn the outcome of its own), its help
    requests and the volunteers who helped, its programmes and its 5 M's. Nothing about any
    other organisation, and never about a person. Each capability counts its own part."""
    from samen.activities.selectors import organisation_meetings
    from samen.concerns.selectors import organisation_signals
    from samen.core.kpi import MONTHS_NL, months
    from samen.core.suppression import suppress, suppress_table
    from samen.partners.selectors import organisation_contributions
    from samen.volunteering.selectors import organisation_help

    _ = translation.gettext
    meetings = organisation_meetings(organisation=organisation, year=year)
    signals = organisation_signals(organisation=organisation, year=year)
    helped = organisation_help(organisation=organisation, year=year)
    hours = helped["hours"]
    signals_per_month = suppress_table(months(signals, "month"), total=signals["total"])
    supported = suppress_table(
        {"supported": signals["supported"]}, total=signals["total"], zero=True
    )["supported"]
    per_month = zip(
        months(meetings, "month"), signals_per_month, months(hours, "month"), strict=True
    )
    tables = [
        KpiTable(
            "own-monthly",
            _("Per maand"),
            [_("maand"), _("bijeenkomsten"), _("signalen doorgegeven"), _("uren vrijwilligers")],
            [
                [MONTHS_NL[m], meetings_n, signals_n, float(hours_n)]
                for m, (meetings_n, signals_n, hours_n) in enumerate(per_month)
            ],
            chart_column=1,
        ),
        KpiTable(
            "own-5m",
            _("Onze bijdragen in de 5 M's"),
            [_("M"), _("bijdragen")],
            [[label, n] for label, n in organisation_contributions(organisation=organisation)],
            chart_column=1,
        ),
    ]
    programmes = helped["programmes"]
    if programmes:
        tables.append(
            KpiTable(
                "own-programmes",
                _("Onze programma's"),
                [
                    _("programma"),
                    _("deden mee"),
                    _("medewerkers"),
                    _("deelname %"),
                    _("uren"),
                    _("dagdelen"),
                ],
                programmes,
                chart_column=3,
            )
        )
    return [
        KpiSection(
            key="own",
            title=organisation.name,
            headline=[
                (_("bijeenkomsten in de agenda"), meetings["total"]),
                (_("signalen doorgegeven"), suppress(signals["total"])),
                (_("daarvan verbonden met ondersteuning"), supported),
                (_("vrijwilligers die hielpen (matches)"), helped["matches"]),
                (_("uren van vrijwilligers"), float(hours["total"] or 0)),
                (_("mensen bereikt"), helped["reached"] or 0),
            ],
            tables=tables,
        )
    ]


def find_table(sections: list[KpiSection], key: str) -> KpiTable | None:
    return next((t for s in sections for t in s.tables if t.key == key), None)


def bars(table: KpiTable, width: int = 560, bar_height: int = 22) -> dict | None:
    """Geometry of a horizontal bar chart (rendered as inline SVG, no JavaScript)."""
    if table.chart_column is None:
        return None
    values = [row[table.chart_column] for row in table.rows]
    numeric = [v for v in values if isinstance(v, int | float)]
    top = max(numeric, default=0) or 1
    label_width = 190
    rows = []
    for index, row in enumerate(table.rows):
        value = row[table.chart_column]
        length = (value / top) * (width - label_width - 60) if isinstance(value, int | float) else 0
        rows.append(
            {
                "label": str(row[0]),
                "value": shown(value),
                "y": index * (bar_height + 6),
                "length": round(length, 1),
                "text_x": label_width + round(length, 1) + 6,
            }
        )
    return {
        "width": width,
        "height": len(rows) * (bar_height + 6),
        "bar_height": bar_height,
        "label_width": label_width,
        "rows": rows,
        "text_dy": bar_height * 0.7,
    }


def as_json(sections: list[KpiSection]) -> list[dict]:
    return [
        {
            "key": s.key,
            "title": s.title,
            "headline": [{"label": label, "value": value} for label, value in s.headline],
            "tables": [
                {"key": t.key, "title": t.title, "columns": t.columns, "rows": t.rows}
                for t in s.tables
            ],
        }
        for s in sections
    ]


def staff_card(municipality: Municipality, user: User) -> dict | None:
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if user.has_samen_perm(municipality, "impact.own"):
        organisation = user.organisation_in(municipality)
        if organisation is None:
            return None
        return {
            "title": _("Onze cijfers"),
            "figure": timezone.localdate().year,
            "label": organisation.name,
            "links": [
                {
                    "text": _("Naar onze cijfers"),
                    "url": reverse("impact:own", args=[municipality.slug]),
                }
            ],
        }
    if not user.has_samen_perm(municipality, "impact.view"):
        return None
    return {
        "title": _("Impact"),
        "figure": timezone.localdate().year,
        "label": _("dashboard en jaarverslag"),
        "links": [
            {
                "text": _("Naar het dashboard"),
                "url": reverse("impact:dashboard", args=[municipality.slug]),
            }
        ],
    }
