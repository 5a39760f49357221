#!/usr/bin/env python3
"""Benchmark of the impact dashboard (samen.impact) over one municipality with 1,000,000 rows.

In a fresh database (SQLite in a temporary file, or a fresh PostgreSQL database that is
created and dropped again) this script:

1. migrates, loads the demo and adds to Samenstad, spread over this year and the last:
   concerns (cases, reports, case history), activities with occurrences, partners with
   contacts, contributions and step changes, volunteers with needs, matches and hours:
   about 1,000,000 rows (printed per table);
2. counts every figure of the year from the database three times (what the background task
   does when the figures are over ten minutes old, and the "Nu bijwerken" button) and prints
   its time and number of queries;
3. renders the coordinator's dashboard (`/samenstad/beheer/impact/`), the yearly report and
   the KPI API through Django's test client (middleware, session, template, SVG charts)
   `--repeat` times each after a warm-up (which counts the figures once), and prints the
   median, p95 and worst time and the number of queries (both numbers are pinned in
   `src/samen/impact/tests/test_dashboard.py`); target: under 500 ms.

    .venv/bin/python bench/impact_dashboard.py --db sqlite
    .venv/bin/python bench/impact_dashboard.py --db postgres   # DATABASE_URL's server

Exit status 1 when the target is missed, 2 when the set-up fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time

TARGET_MS = 500.0
BATCH = 5000


def log(message: str) -> None:
    print(message, flush=True)


def moment(rng: random.Random, year: int) -> dt.datetime:
    start = dt.datetime(year - 1, 1, 1, tzinfo=dt.UTC)
    return start + dt.timedelta(seconds=rng.randrange(2 * 365 * 86400))


def bulk(model, rows, counts: dict) -> list:
    made = model.objects.bulk_create(rows, batch_size=BATCH)
    counts[model._meta.label] = counts.get(model._meta.label, 0) + len(made)
    return made


def populate(samenstad, scale: float) -> dict[str, int]:
    from decimal import Decimal

    from samen.activities.models import CATEGORY_BITS, Activity, Occurrence
    from samen.concerns.models import Case, CaseEvent, Outcome, Report, ReporterType, Status
    from samen.core.models import Organisation
    from samen.partners.models import ContactLog, Contribution, Partner, StepChange
    from samen.volunteering.models import Match, Need, Programme, TimeEntry, Volunteer

    rng = random.Random(7)
    year = dt.date.today().year
    n = lambda count: max(1, int(count * scale))  # noqa: E731
    counts: dict[str, int] = {}

    # Concerns: 100,000 cases with 150,000 reports and 150,000 history entries.
    statuses = [s for s in Status.values]
    outcomes = list(Outcome.values)
    cases = []
    for i in range(n(100_000)):
        created = moment(rng, year)
        status = rng.choice(statuses)
        contacted = (
            created + dt.timedelta(hours=rng.randint(1, 120)) if rng.random() < 0.7 else None
        )
        cases.append(
            Case(
                municipality=samenstad,
                address_key=f"B{i}",
                postcode=f"{1000 + i % 9000}AB",
                house_number=str(i % 200 + 1),
                area=str(1000 + i % 9000),
                status=status,
                outcome=rng.choice(outcomes) if status == Status.CLOSED else "",
                deadline=created + dt.timedelta(days=2),
                first_contact_at=contacted,
                closed_at=created + dt.timedelta(days=20) if status == Status.CLOSED else None,
                created_at=created,
                updated_at=created,
            )
        )
    cases = bulk(Case, cases, counts)
    reporter_types = list(ReporterType.values)
    reports, events = [], []
    for i in range(n(150_000)):
        case = cases[i % len(cases)]
        reports.append(
            Report(
                municipality=samenstad,
                case=case,
                reference=f"SP-B-{i:07d}",
                status_token_hash=f"{i:064x}",
                signs=["curtains_closed"],
                description="Gordijnen al dagen dicht",
                reporter_type=rng.choice(reporter_types),
                created_at=case.created_at,
            )
        )
        events.append(
            CaseEvent(
                municipality=samenstad, case=case, kind=CaseEvent.Kind.CREATED, at=case.created_at
            )
        )
        if len(reports) == BATCH:
            bulk(Report, reports, counts), bulk(CaseEvent, events, counts)
            reports, events = [], []
    bulk(Report, reports, counts), bulk(CaseEvent, events, counts)

    # Activities: 5,000 activities with 200,000 occurrences.
    organisations = bulk(
        Organisation,
        [
            Organisation(municipality=samenstad, slug=f"bench-{i}", name=f"Organisatie {i:05d}")
            for i in range(n(5_000))
        ],
        counts,
    )
    categories = list(CATEGORY_BITS)
    activities = bulk(
        Activity,
        [
            Activity(
                municipality=samenstad,
                organisation=organisations[i % len(organisations)],
                title=f"Koffieochtend {i}",
                categories=rng.sample(categories, 2),
                starts_at=moment(rng, year),
                latitude=52.1,
                longitude=5.1,
            )
            for i in range(n(5_000))
        ],
        counts,
    )
    occurrences = []
    for i in range(n(200_000)):
        activity = activities[i % len(activities)]
        starts = moment(rng, year)
        occurrences.append(
            Occurrence(
                municipality=samenstad,
                activity=activity,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                category_mask=CATEGORY_BITS[activity.categories[0]],
            )
        )
        if len(occurrences) == BATCH:
            bulk(Occurrence, occurrences, counts)
            occurrences = []
    bulk(Occurrence, occurrences, counts)

    # Partners: 5,000 partners, 100,000 contacts, 10,000 contributions and step changes.
    steps = ["prepare", "connect", "persuade", "retain", "strengthen"]
    partners = bulk(
        Partner,
        [
            Partner(municipality=samenstad, organisation=o, step=rng.choice(steps))
            for o in organisations
        ],
        counts,
    )
    contacts = []
    for i in range(n(100_000)):
        contacts.append(
            ContactLog(
                municipality=samenstad,
                partner=partners[i % len(partners)],
                kind="visit",
                at=moment(rng, year),
                summary="Bezoek",
            )
        )
        if len(contacts) == BATCH:
            bulk(ContactLog, contacts, counts)
            contacts = []
    bulk(ContactLog, contacts, counts)
    ms = ["people", "means", "mass", "media"]
    bulk(
        Contribution,
        [
            Contribution(
                municipality=samenstad,
                partner=partners[i % len(partners)],
                m=rng.choice(ms),
                description="Ruimte voor de koffieochtend",
                started_on=dt.date(year - 1, 1, 1) + dt.timedelta(days=rng.randrange(700)),
            )
            for i in range(n(10_000))
        ],
        counts,
    )
    bulk(
        StepChange,
        [
            StepChange(
                municipality=samenstad,
                partner=partners[i % len(partners)],
                from_step="prepare",
                to_step="connect",
                at=moment(rng, year),
            )
            for i in range(n(10_000))
        ],
        counts,
    )

    # Volunteering: 20 programmes, 20,000 volunteers, 5,000 needs, 40,000 matches, 200,000
    # hours entries.
    programmes = bulk(
        Programme,
        [
            Programme(
                municipality=samenstad,
                organisation=organisations[i],
                name=f"Programma {i:02d}",
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                invite_token=f"bench-{i}",
                employees=1000,
            )
            for i in range(20)
        ],
        counts,
    )
    volunteers = bulk(
        Volunteer,
        [
            Volunteer(
                municipality=samenstad,
                kind="employee",
                programme=programmes[i % len(programmes)],
                first_name="Vrij",
                last_name=f"Williger {i}",
                email=f"v{i}@example.org",
                postcode="1234AB",
                token_hash=f"{i:064x}",
            )
            for i in range(n(20_000))
        ],
        counts,
    )
    needs = bulk(
        Need,
        [
            Need(
                municipality=samenstad,
                reference=f"HV-B{i:06d}",
                organisation=organisations[i % len(organisations)],
                title="Maatje gezocht",
                description="Wandelen op dinsdag",
                postcode="1234AB",
                contact_name="Welzijn",
            )
            for i in range(n(5_000))
        ],
        counts,
    )
    matches = []
    for i in range(n(40_000)):
        volunteer = volunteers[i % len(volunteers)]
        proposed = moment(rng, year)
        confirmed = rng.random() < 0.6
        matches.append(
            Match(
                municipality=samenstad,
                need=needs[(i + i // len(volunteers)) % len(needs)],
                volunteer=volunteer,
                programme=volunteer.programme,
                status=Match.Status.CONFIRMED if confirmed else Match.Status.PROPOSED,
                proposed_at=proposed,
                confirmed_at=proposed + dt.timedelta(days=3) if confirmed else None,
                people_reached=rng.randint(0, 3) if confirmed else 0,
            )
        )
    matches = bulk(Match, matches, counts)
    entries = []
    for i in range(n(200_000)):
        match = matches[i % len(matches)]
        entries.append(
            TimeEntry(
                municipality=samenstad,
                match=match,
                date=dt.date(year - 1, 1, 1) + dt.timedelta(days=rng.randrange(700)),
                hours=Decimal(rng.choice([2, 3, 4])),
                half_days=Decimal(1),
                status=TimeEntry.Status.CONFIRMED,
            )
        )
        if len(entries) == BATCH:
            bulk(TimeEntry, entries, counts)
            entries = []
    bulk(TimeEntry, entries, counts)

    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does shortly after a bulk load
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


def measure(client, url: str, repeat: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200  # warm-up
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    if os.environ.get("BENCH_SLOWEST"):
        for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
            log(f"      {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    return times, len(queries.captured_queries)


def run(label: str, repeat: int, scale: float) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from samen.core import demo
    from samen.core.models import User
    from samen.core.tenancy import municipality_scope

    log(f"== {label}: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    samenstad = demo.load()["samenstad"]
    start = time.perf_counter()
    with municipality_scope(samenstad):
        counts = populate(samenstad, scale)
    total = sum(counts.values())
    log(f"   data: {total:,} rows in {time.perf_counter() - start:.0f} s")
    for name, count in sorted(counts.items()):
        log(f"      {name:28} {count:>9,}")

    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from samen.impact.selectors import compute

    counts_ms = []
    for _ in range(3):
        with municipality_scope(samenstad), CaptureQueriesContext(db) as queries:
            start = time.perf_counter()
            compute(year=timezone.localdate().year)
            counts_ms.append((time.perf_counter() - start) * 1000)
    log(
        f"   recount of all figures (background task): median {statistics.median(counts_ms):.0f}"
        f" ms, max {max(counts_ms):.0f} ms, {len(queries.captured_queries)} queries"
    )
    if os.environ.get("BENCH_SLOWEST"):
        for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
            log(f"      {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")

    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    failed = False
    for what, url in [
        ("dashboard", "/samenstad/beheer/impact/"),
        ("yearly report", "/samenstad/beheer/impact/jaarverslag/"),
        ("KPI API (session)", "/api/v1/municipalities/samenstad/kpis"),
    ]:
        times, queries = measure(client, url, repeat)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        ok = p95 < TARGET_MS
        failed |= not ok
        log(
            f"   {what:18} median {statistics.median(times):6.1f} ms | p95 {p95:6.1f} ms | "
            f"max {times[-1]:6.1f} ms | {queries} queries | {'OK' if ok else 'TOO SLOW'}"
        )
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 1M rows")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")
    os.environ.update(SAMEN_RATELIMIT="0", SAMEN_HTTPS="0", DEBUG="0", ALLOWED_HOSTS="testserver")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    log(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    if args.db == "sqlite":
        directory = tempfile.mkdtemp(prefix="samen-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        os.environ["SAMEN_CACHE_DIR"] = f"{directory}/cache"
        return run("sqlite", args.repeat, args.scale)

    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    prefix, _sep, _name = base.rpartition("/")
    name = f"samen_bench_impact_{os.getpid()}"
    try:
        with psycopg.connect(f"{prefix}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        log(f"cannot create the PostgreSQL database: {exc}")
        return 2
    os.environ["DATABASE_URL"] = f"{prefix}/{name}"
    os.environ["SAMEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="samen-bench-cache-")
    try:
        return run("postgres", args.repeat, args.scale)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{prefix}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
