#!/usr/bin/env python3
"""Benchmark of the activity hub at national scale: search through the API and feed import.

For each database (SQLite in a file under /tmp, PostgreSQL in a database of its own that is
created here and dropped at the end unless `--keep`) this script runs itself as a child
process with that database configured, and the child:

1. `generate`: migrates and generates national-scale data: 350 municipalities (gem-001 ..
   gem-350) spread over the Netherlands with a Zipf-like size distribution, a few to a few
   dozen organisations each, 300,000 activities (70% recurring: two thirds weekly, one third
   monthly on the n-th weekday; 30% one-off) placed around their municipality's centre, and
   their occurrences over the app's horizon (`services._horizon()`, 120 days ahead). The
   dates are expanded by this script with dateutil into plain tuples and loaded without model
   instances (PostgreSQL COPY, SQLite executemany, 10,000 activities per transaction); a
   sample of 2,000 activities is first checked to give exactly the rows of
   `services.occurrence_rows` and the dates of recurring-ical-events. PostgreSQL then runs
   VACUUM ANALYZE (what autovacuum does after a bulk load). Skipped when the database already
   holds the generated data (so `--keep` and re-runs of `--phases search` are cheap).
2. `search`: `GET /api/v1/activities?near=lat,lon&radius_km=10&category=X` (next 7 days,
   first page of 20) through Django's test Client, in-process: the app is measured, not the
   network or a server. `--searches` places near the centres of the 40 largest
   municipalities (jittered by ~1.5 km), one random category each. Then the bare SQL of the
   same search (the endpoint's two statements: step 1, the values of up to 2,000 matches;
   step 2, the first page's rows), with cursor.execute + fetchall. Prints p50/p95/p99 and the
   ratio API/SQL, and a cProfile of some API calls.
3. `import`: writes 1,000 .ics files of 50 VEVENTs each (60% recurring with RRULE, some with
   EXDATE or an edited instance, 40% one-off; unique UIDs; fixed DTSTAMP) to a temporary
   directory, registers one Feed per file (`services.add_feed`, 1,000 organisations spread
   over the municipalities), imports all of them and times it: with `--workers N` (N > 1) in N
   forked processes that each take one feed at a time, as N db_workers take one
   `tasks.import_feed` each (its body, `services.import_feed_by_id`; the queue table itself is
   left out), else in this process. Then it runs again in-process and checks that the second
   run writes nothing: every ImportResult.writes == 0, the activity and occurrence rows are
   identical (ids, source_hash, updated_at) and the SQL statements of the second run are
   counted by table (INSERT/UPDATE/DELETE). Wall-clock seconds and the CPU seconds of the
   Python processes (not of the PostgreSQL server) are reported.
   With `--dtstamp-run` a third run re-imports the same files with only DTSTAMP changed (as
   calendar servers that stamp every download do) and reports how much that rewrites.

Targets (from the issue): search p95 < 50 ms through the API; import of 1,000 feeds x 50
events < 60 s; the second import writes nothing.

    .venv/bin/python bench/activities.py --db both --workers 2     # everything, then drop
    .venv/bin/python bench/activities.py --db postgres --keep      # keep the data ...
    .venv/bin/python bench/activities.py --db postgres --phases search   # ... and re-search
    .venv/bin/python bench/activities.py --db both --drop          # only drop the databases

Exit status 1 when a target fails, 2 when the set-up fails.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = os.environ.get("BENCH_SQLITE_PATH", "/tmp/bench-activities.sqlite3")
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DBNAME = os.environ.get("BENCH_PG_DB", "samen_bench_act")
CACHE_DIR = "/tmp/bench-activities-cache"

TARGET_SEARCH_P95_MS = 50.0
TARGET_IMPORT_S = 60.0

SLUG_PREFIX = "gem-"
IMPORT_ORG_PREFIX = "bench-import-"
MARKER_KEY = "bench_activities"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version()}


# =================================================================================================
# Parent: one child process per database
# =================================================================================================


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_BASE + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_exists() -> bool:
    import psycopg

    with psycopg.connect(PG_BASE + "/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DBNAME]).fetchone()
        return row is not None


def drop(db: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(SQLITE_PATH + suffix)
        log(f"sqlite: removed {SQLITE_PATH}")
    else:
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DBNAME} WITH (FORCE)")
        log(f"postgres: dropped {PG_DBNAME}")


def ensure(db: str, fresh: bool) -> str:
    if fresh:
        drop(db)
    if db == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    if not pg_exists():
        pg_admin(f"CREATE DATABASE {PG_DBNAME}")
        log(f"postgres: created {PG_DBNAME}")
    return f"{PG_BASE}/{PG_DBNAME}"


def run_child(db: str, url: str, args: argparse.Namespace, out: Path, phase: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "SAMEN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="samen.settings",
        DATABASE_URL=url,
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        SAMEN_RATELIMIT="0",
        SAMEN_HTTPS="0",
        SAMEN_CACHE_DIR=CACHE_DIR + "-" + db,
        SAMEN_TASKS_BACKEND="immediate",
        PYTHONHASHSEED="0",
    )
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", db, "--out", str(out)]
    cmd += ["--phases", phase]
    for name in ("activities", "municipalities", "searches", "feeds", "events", "seed", "workers"):
        cmd += [f"--{name}", str(getattr(args, name))]
    if args.dtstamp_run:
        cmd.append("--dtstamp-run")
    if args.profile:
        cmd.append("--profile")
    log(f"{db}: child {' '.join(cmd[2:])}")
    proc = subprocess.run(cmd, env=env, cwd=ROOT)
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(2)
    return json.loads(out.read_text())


def fmt(value, spec=".1f", unit="") -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    return f"{value:{spec}}{unit}"


def mark(ok) -> str:
    return "–" if ok is None else ("PASS" if ok else "FAIL")


def summary(results: dict[str, dict]) -> bool:
    names = list(results)
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    rows: list[tuple[str, list[str]]] = []

    def row(title, fn):
        cells = []
        for n in names:
            try:
                cells.append(fn(results[n]))
            except (KeyError, TypeError):
                cells.append("–")
        rows.append((title, cells))

    g = lambda r: r["generate"]  # noqa: E731
    s = lambda r: r["search"]  # noqa: E731
    i = lambda r: r["import"]  # noqa: E731
    row(
        "generation (s)",
        lambda r: fmt(g(r)["seconds"], ".0f") + (" (reused)" if g(r).get("reused") else ""),
    )
    row("activities / occurrences", lambda r: f"{g(r)['activities']:,} / {g(r)['occurrences']:,}")
    row("occurrences made by", lambda r: g(r)["occurrences_by"])
    row("app expansion rate (activities/s)", lambda r: fmt(g(r)["app_rate_per_s"], ".0f"))
    row("searches (API, test Client)", lambda r: str(s(r)["n"]))
    row("results per search (median / max)", lambda r: f"{s(r)['count_p50']} / {s(r)['count_max']}")
    row("SQL rows fetched (median / max)", lambda r: f"{s(r)['rows_p50']} / {s(r)['rows_max']}")
    row(
        "API p50 / p95 / p99 (ms)",
        lambda r: f"{s(r)['api_p50']:.1f} / {s(r)['api_p95']:.1f} / {s(r)['api_p99']:.1f}",
    )
    row(
        "API CPU time p50 / p95 (ms, this process)",
        lambda r: f"{s(r)['api_cpu_p50']:.1f} / {s(r)['api_cpu_p95']:.1f}",
    )
    row(
        "bare SQL p50 / p95 / p99 (ms)",
        lambda r: f"{s(r)['sql_p50']:.1f} / {s(r)['sql_p95']:.1f} / {s(r)['sql_p99']:.1f}",
    )
    row(
        "ratio API / SQL (p50, p95)",
        lambda r: f"{s(r)['ratio_p50']:.1f}x, {s(r)['ratio_p95']:.1f}x",
    )
    row("search p95 < 50 ms", lambda r: mark(s(r)["pass"]))
    row(
        "import 1st run (s)",
        lambda r: (
            f"{i(r)['first']['seconds']:.1f} ({i(r)['first']['created']:,} created, {i(r)['first']['occurrences']:,} occurrences)"
        ),
    )
    row(
        "import 1st run: workers / Python CPU (s)",
        lambda r: f"{i(r)['first']['workers']} / {i(r)['first']['python_cpu_seconds']:.1f}",
    )
    row("import < 60 s", lambda r: mark(i(r)["first"]["pass"]))
    row("import 2nd run (s)", lambda r: f"{i(r)['second']['seconds']:.1f}")
    row(
        "2nd run: result writes / row changes",
        lambda r: f"{i(r)['second']['writes']} / {i(r)['second']['row_changes']}",
    )
    row(
        "2nd run: SQL writes by table",
        lambda r: ", ".join(f"{k} {v}" for k, v in i(r)["second"]["sql_writes"].items()) or "none",
    )
    row("2nd run writes nothing", lambda r: mark(i(r)["second"]["pass"]))
    if any("dtstamp" in results[n].get("import", {}) for n in names):
        row("DTSTAMP-only change: s / writes", lambda r: f"{i(r)['dtstamp']['seconds']:.1f} / {i(r)['dtstamp']['writes']:,}")  # fmt: skip

    width = max(len(t) for t, _ in rows)
    head = " | ".join(label.get(n, n) for n in names)
    print()
    print(f"| {'':{width}} | {head} |")
    print(
        f"|{'-' * (width + 2)}|" + "|".join("-" * (len(label.get(n, n)) + 2) for n in names) + "|"
    )
    for title, cells in rows:
        print(f"| {title:{width}} | " + " | ".join(cells) + " |")
    print()
    ok = True
    for n in names:
        r = results[n]
        for key, flag in (
            ("search p95 < 50 ms", r.get("search", {}).get("pass")),
            ("import < 60 s", r.get("import", {}).get("first", {}).get("pass")),
            ("second import writes nothing", r.get("import", {}).get("second", {}).get("pass")),
        ):
            if flag is not None:
                print(f"{mark(flag)}  {label.get(n, n)}: {key}")
                ok = ok and flag
    return ok


def parent(args: argparse.Namespace) -> int:
    dbs = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    if args.drop:
        for db in dbs:
            drop(db)
        return 0
    print(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M %Z"), **machine()}))
    results: dict[str, dict] = {}
    workdir = Path(tempfile.mkdtemp(prefix="bench-activities-"))
    try:
        for db in dbs:
            url = ensure(db, args.fresh)
            # One process per phase: the search is not measured in a process that has just
            # built and dropped millions of objects, and a re-run of one phase measures the same.
            merged: dict = {}
            for phase in args.phases.split(","):
                out = workdir / f"{db}-{phase}.json"
                for key, value in run_child(db, url, args, out, phase).items():
                    merged.setdefault(key, value)
            results[db] = merged
            saved = Path(f"/tmp/bench-activities-{db}.json")
            saved.write_text(json.dumps(merged, indent=2, default=str))
            log(f"{db}: results in {saved}")
            if not args.keep:
                drop(db)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        for db in dbs:
            shutil.rmtree(CACHE_DIR + "-" + db, ignore_errors=True)
    ok = summary(results)
    if args.activities < 300_000 or args.feeds < 1000 or args.events < 50:
        print(
            "NOTE: reduced scale; the targets are those of the issue's scale (300,000 / 1,000 x 50)."
        )
    return 0 if ok else 1


# =================================================================================================
# Child: runs inside Django with one database
# =================================================================================================

CATEGORY_TEMPLATES = [
    ("Koffieochtend", ["meeting"]),
    ("Inloopochtend", ["meeting"]),
    ("Buurtkoffie met een praatje", ["meeting"]),
    ("Samen eten", ["eating", "meeting"]),
    ("Soep op vrijdag", ["eating"]),
    ("Buurtmaaltijd", ["eating", "meeting"]),
    ("Wandelgroep", ["walking", "exercise"]),
    ("Ommetje door de wijk", ["walking"]),
    ("Stoelyoga", ["exercise"]),
    ("Wandelvoetbal voor 60-plussers", ["exercise"]),
    ("Bewegen voor ouderen", ["exercise"]),
    ("Taalcafé: Nederlands oefenen", ["learning", "meeting"]),
    ("Digicafé: hulp bij telefoon en DigiD", ["learning", "advice"]),
    ("Computercursus voor beginners", ["learning"]),
    ("Bingo", ["games"]),
    ("Sjoelmiddag", ["games"]),
    ("Klaverjassen", ["games", "meeting"]),
    ("Schaakclub", ["games"]),
    ("Breiclub", ["creative", "meeting"]),
    ("Schilderles", ["creative"]),
    ("Creatieve middag", ["creative"]),
    ("Filmmiddag", ["culture"]),
    ("Lezing over de geschiedenis van het dorp", ["culture", "learning"]),
    ("Muziekmiddag", ["culture"]),
    ("Museumbezoek", ["culture"]),
    ("Spreekuur belastingaangifte", ["advice"]),
    ("Spreekuur mantelzorg", ["advice"]),
    ("Maatje gezocht: samen op pad", ["buddy"]),
    ("Maatjesproject: ontmoetingsmiddag", ["buddy", "meeting"]),
]
STEMS = ["Amster", "Rotter", "Zuider", "Bergen", "Hoog", "Laag", "Noord", "Oud", "Nieuw",
         "Groen", "Beek", "Wester", "Ooster", "Mol", "Zand", "Hei", "Kerk", "Brug", "Veen",
         "Waal", "Eem", "Lin", "Dal", "Berg", "Ter", "Wol", "Has", "Stad", "Maas", "IJssel"]  # fmt: skip
SUFFIXES = ["dam", "veen", "horst", "wijk", "broek", "hoven", "beek", "woude", "dijk", "stein",
            "burg", "meer", "hem", "lo", "oord", "zijl", "sloot", "haven"]  # fmt: skip
VENUES = ["Buurthuis De Linde", "Wijkcentrum Het Anker", "Bibliotheek", "Dorpshuis De Schakel",
          "Kerkzaal De Ark", "Zorgcentrum Zonnehof", "Sporthal De Brug", "Café Het Hoekje",
          "Speeltuingebouw", "Ontmoetingscentrum De Kern"]  # fmt: skip
STREETS = ["Dorpsstraat", "Kerkstraat", "Molenweg", "Schoolstraat", "Stationsweg", "Marktplein",
           "Julianalaan", "Wilhelminastraat", "Beatrixlaan", "Parkweg"]  # fmt: skip
ORG_KINDS = [("Welzijn", "welfare"), ("Bibliotheek", "library"), ("Buurtvereniging", "residents"),
             ("Zorggroep", "care"), ("Sportclub", "sport"), ("Ouderenbond", "elderly"),
             ("Parochie", "faith"), ("Stichting Cultuur", "culture"), ("Supermarkt", "shop")]  # fmt: skip
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
TIMES = [(9, 30), (10, 0), (10, 30), (13, 30), (14, 0), (15, 0), (19, 0), (19, 30)]
DESCRIPTIONS = [
    "Iedereen is welkom. Kom gerust eens langs, de koffie staat klaar.",
    "Een gezellige bijeenkomst voor buurtgenoten. Aanmelden is niet nodig.",
    "Samen met vrijwilligers. Vervoer kan worden geregeld, bel ons gerust.",
    "Voor ouderen en iedereen die graag nieuwe mensen ontmoet.",
]


def municipality_weights(n: int) -> list[float]:
    raw = [1 / (i + 6) for i in range(n)]
    total = sum(raw)
    return [w / total for w in raw]


class Child:
    def __init__(self, args: argparse.Namespace):
        import django

        sys.path.insert(0, str(ROOT / "src"))
        django.setup()
        from django.conf import settings
        from django.db import connection

        self.args = args
        self.db = args.child
        self.connection = connection
        self.settings = settings
        self.rng = random.Random(args.seed)
        self.results: dict = {"db": self.db, "vendor": connection.vendor}

    # --- helpers ---------------------------------------------------------------------------------

    def save(self) -> None:
        Path(self.args.out).write_text(json.dumps(self.results, indent=2, default=str))

    def migrate(self) -> None:
        from django.core.management import call_command

        t = time.perf_counter()
        call_command("migrate", "--noinput", verbosity=0)
        log(f"{self.db}: migrated in {time.perf_counter() - t:.1f} s")

    # --- 1. generation ---------------------------------------------------------------------------

    def marker(self):
        from samen.core.models import Municipality

        first = Municipality.objects.filter(slug=f"{SLUG_PREFIX}001").first()
        if first is None:
            return None, False
        return first.settings.get(MARKER_KEY), True

    def generate(self) -> None:
        from django.db import transaction
        from django_scopes import scopes_disabled

        from samen.activities import services
        from samen.activities.models import Activity, Occurrence
        from samen.core.models import Municipality, Organisation

        args = self.args
        with scopes_disabled():
            done, exists = self.marker()
            if done:
                log(f"{self.db}: data already generated ({done}); skipping generation")
                self.results["generate"] = {**done, "reused": True}
                return
            if exists:
                raise SystemExit("A previous generation did not finish: run again with --fresh.")
            t0 = time.perf_counter()
            rng = self.rng
            weights = municipality_weights(args.municipalities)
            centres: list[tuple[float, float]] = []
            while len(centres) < args.municipalities:
                lat, lon = rng.uniform(51.3, 53.4), rng.uniform(3.6, 7.1)
                if all(((lat - a) * 111) ** 2 + ((lon - b) * 67) ** 2 > 8.0**2 for a, b in centres):
                    centres.append((lat, lon))
            names = set()
            municipalities = []
            for i in range(args.municipalities):
                name = rng.choice(STEMS) + rng.choice(SUFFIXES)
                while name in names:
                    name = rng.choice(STEMS) + rng.choice(SUFFIXES)
                names.add(name)
                municipalities.append(
                    Municipality(
                        name=name,
                        slug=f"{SLUG_PREFIX}{i + 1:03d}",
                        settings={
                            "bench_centre": list(centres[i]),
                            "bench_weight": weights[i],
                        },
                    )
                )
            Municipality.objects.bulk_create(municipalities)
            municipalities = list(
                Municipality.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug")
            )
            orgs = []
            for i, m in enumerate(municipalities):
                count = max(3, round(weights[i] * 3000))
                for j in range(count):
                    prefix, kind = ORG_KINDS[j % len(ORG_KINDS)]
                    name = f"{prefix} {m.name}" + (
                        f" {j // len(ORG_KINDS) + 1}" if j >= len(ORG_KINDS) else ""
                    )
                    orgs.append(
                        Organisation(
                            municipality=m,
                            name=name,
                            slug=f"org-{j + 1}",
                            kind=kind,
                            postcode=f"{1000 + (i * 25) % 8900}AB",
                        )
                    )
            Organisation.objects.bulk_create(orgs, batch_size=2000)
            orgs_by_m: dict[int, list[int]] = {}
            for pk, mid in Organisation.objects.filter(
                municipality__slug__startswith=SLUG_PREFIX
            ).values_list("pk", "municipality_id"):
                orgs_by_m.setdefault(mid, []).append(pk)
            log(f"{self.db}: {len(municipalities)} municipalities, {len(orgs)} organisations")

            start, end = services._horizon()
            self.horizon = (start, end)
            counts = [0] * len(municipalities)
            # The share of each municipality in the 300,000 activities.
            cumulative = []
            acc = 0.0
            for w in weights:
                acc += w
                cumulative.append(acc)

            chunk = 10_000
            total_occ = 0
            app_rate = None
            occ_seconds = 0.0
            insert_seconds = 0.0
            validated = None
            last_in_m: dict[int, Activity] = {}
            created = 0
            next_pk = (
                Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            ) + 1
            while created < args.activities:
                size = min(chunk, args.activities - created)
                batch = [
                    self.make_activity(
                        rng, municipalities, cumulative, orgs_by_m, counts, last_in_m
                    )
                    for _ in range(size)
                ]
                for activity in batch:
                    activity.pk = next_pk
                    next_pk += 1
                if app_rate is None:
                    app_rate = self.app_rate(batch[:1500])
                    log(f"{self.db}: services.occurrence_rows: {app_rate:.0f} activities/s")
                    validated = self.validate_direct(batch[:2000])
                t = time.perf_counter()
                occurrences = [
                    row for activity in batch for row in direct_occurrences(activity, start, end)
                ]
                occ_seconds += time.perf_counter() - t
                with transaction.atomic():
                    t = time.perf_counter()
                    self.insert_activities(batch)
                    self.insert_rows("activities_occurrence", OCCURRENCE_COLUMNS, occurrences)
                    insert_seconds += time.perf_counter() - t
                total_occ += len(occurrences)
                created += size
                log(
                    f"{self.db}: {created:,} activities, {total_occ:,} occurrences "
                    f"({time.perf_counter() - t0:.0f} s)"
                )
            t = time.perf_counter()
            if self.connection.vendor == "postgresql":
                with self.connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence('activities_activity', 'id'), "
                        "(SELECT max(id) FROM activities_activity))"
                    )
                    # What autovacuum does after a bulk load (statistics and the visibility map,
                    # which an index-only scan needs).
                    cursor.execute("VACUUM ANALYZE")
            analyze_seconds = time.perf_counter() - t
            seconds = time.perf_counter() - t0
            info = {
                "seconds": round(seconds, 1),
                "activities": Activity.objects.count(),
                "recurring": Activity.objects.exclude(rrule="").count(),
                "occurrences": Occurrence.objects.count(),
                "occurrences_by": "services.occurrence_rows (dateutil; checked against "
                "recurring-ical-events)",
                "app_rate_per_s": round(app_rate, 1),
                "app_projected_s": round(args.activities / app_rate),
                "occurrence_python_s": round(occ_seconds, 1),
                "insert_s": round(insert_seconds, 1),
                "analyze_s": round(analyze_seconds, 1),
                "validated": validated,
                "horizon": [start.isoformat(), end.isoformat()],
                "largest_municipality_activities": max(counts),
                "median_municipality_activities": int(statistics.median(counts)),
                "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            first = municipalities[0]
            first.settings[MARKER_KEY] = info
            first.save(update_fields=["settings"])
            self.results["generate"] = info
            log(f"{self.db}: generation done: {json.dumps(info)}")

    def insert_rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """Bulk load without model instances: COPY on PostgreSQL, executemany on SQLite."""
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                )

    def insert_activities(self, batch) -> None:
        from samen.activities.models import Activity

        fields = Activity._meta.concrete_fields
        rows = [
            tuple(f.get_db_prep_save(getattr(a, f.attname), self.connection) for f in fields)
            for a in batch
        ]
        self.insert_rows("activities_activity", [f.column for f in fields], rows)

    def make_activity(self, rng, municipalities, cumulative, orgs_by_m, counts, last_in_m):
        from samen.activities.calendar import AMSTERDAM
        from samen.activities.models import Activity, make_dedup_key

        x = rng.random()
        lo, hi = 0, len(cumulative) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if cumulative[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        index = lo
        m = municipalities[index]
        counts[index] += 1
        org_ids = orgs_by_m[m.pk]
        previous = last_in_m.get(m.pk)
        if previous is not None and rng.random() < 0.02 and len(org_ids) > 1:
            # The same activity listed by another organisation ("ook vermeld door").
            others = [o for o in org_ids if o != previous.organisation_id]
            twin = Activity(
                municipality_id=m.pk,
                organisation_id=rng.choice(others),
                **{
                    f: getattr(previous, f)
                    for f in (
                        "title",
                        "description",
                        "categories",
                        "audience",
                        "venue",
                        "address",
                        "postcode",
                        "latitude",
                        "longitude",
                        "starts_at",
                        "ends_at",
                        "rrule",
                        "is_free",
                        "cost",
                        "wheelchair",
                        "signup_required",
                        "dedup_key",
                    )  # fmt: skip
                },
            )
            return twin
        lat0, lon0 = m.settings["bench_centre"]
        weight = m.settings["bench_weight"]
        sigma_km = 1.2 + 3.5 * math.sqrt(weight / 0.04)
        lat = lat0 + rng.gauss(0, sigma_km) / 111.0
        lon = lon0 + rng.gauss(0, sigma_km) / (111.0 * math.cos(math.radians(lat0)))
        template, categories = rng.choice(CATEGORY_TEMPLATES)
        venue = rng.choice(VENUES)
        if venue == "Bibliotheek":
            venue = f"Bibliotheek {m.name}"
        title = rng.choice([template, f"{template} in {venue}", f"{template} ({m.name})"])
        hour, minute = rng.choice(TIMES)
        duration = dt.timedelta(minutes=rng.choice([60, 90, 120, 180]))
        today = dt.date.today()
        kind = rng.random()
        rrule = ""
        if kind < 0.70:
            if kind < 0.70 * 2 / 3:
                day = today + dt.timedelta(days=rng.randint(-365, 14))
                rrule = f"FREQ=WEEKLY;BYDAY={WEEKDAYS[day.weekday()]}"
            else:
                day = today + dt.timedelta(days=rng.randint(-365, 28))
                while day.day > 28:
                    day -= dt.timedelta(days=1)
                rrule = f"FREQ=MONTHLY;BYDAY={(day.day - 1) // 7 + 1}{WEEKDAYS[day.weekday()]}"
        else:
            day = today + dt.timedelta(days=rng.randint(-30, 125))
        starts = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMSTERDAM)
        postcode = f"{1000 + rng.randrange(9000)}{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}"
        is_free = rng.random() < 0.8
        activity = Activity(
            municipality_id=m.pk,
            organisation_id=rng.choice(org_ids),
            title=title,
            description=rng.choice(DESCRIPTIONS),
            categories=categories,
            audience=["everyone"],
            venue=venue,
            address=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
            postcode=postcode,
            latitude=round(lat, 6),
            longitude=round(lon, 6),
            starts_at=starts,
            ends_at=starts + duration,
            rrule=rrule,
            is_free=is_free,
            cost=None if is_free else rng.choice(["2.50", "5.00", "7.50"]),
            wheelchair=rng.random() < 0.6,
            hearing_loop=rng.random() < 0.2,
            signup_required=rng.random() < 0.25,
            dedup_key=make_dedup_key(title, starts, postcode),
        )
        last_in_m[m.pk] = activity
        return activity

    def app_rate(self, sample) -> float:
        from samen.activities import services

        start, end = self.horizon
        t = time.perf_counter()
        for activity in sample:
            services.occurrence_rows(activity, start, end)
        return len(sample) / (time.perf_counter() - t)

    def validate_direct(self, sample) -> dict:
        """The rows written for the benchmark (the app's dateutil expansion) must have the
        same dates as recurring-ical-events gives for the same rule (one-off activities are
        not expanded)."""
        from samen.activities import calendar, services

        start, end = self.horizon
        mismatches = 0
        rows = 0
        for activity in (a for a in sample if a.rrule):
            ours = sorted(row[2:4] for row in direct_occurrences(activity, start, end))
            rows += len(ours)
            dates = sorted(
                (self.db_datetime(b), self.db_datetime(e))
                for b, e in calendar.expand(services._schedule_text(activity), start, end)
            )
            if ours != dates:
                mismatches += 1
                if mismatches <= 3:
                    log(
                        f"MISMATCH {activity.rrule} {activity.starts_at}: {ours[:2]} vs {dates[:2]}"
                    )
        if mismatches:
            raise SystemExit(f"occurrence dates differ from recurring-ical-events for {mismatches}")
        log(
            f"{self.db}: services.occurrence_rows = recurring-ical-events "
            f"for {len(sample)} activities ({rows} rows)"
        )
        return {"activities": len(sample), "rows": rows, "mismatches": mismatches}

    def db_datetime(self, value):
        return None if value is None else self.connection.ops.adapt_datetimefield_value(value)

    # --- 2. search -------------------------------------------------------------------------------

    def places(self, n: int) -> list[dict]:
        from samen.activities.models import Category
        from samen.core.models import Municipality

        rng = random.Random(self.args.seed + 1)
        big = list(Municipality.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug")[:40])
        out = []
        for _ in range(n):
            m = rng.choice(big)
            lat, lon = m.settings["bench_centre"]
            lat += rng.gauss(0, 1.5) / 111.0
            lon += rng.gauss(0, 1.5) / 67.0
            out.append(
                {
                    "near": f"{lat:.5f},{lon:.5f}",
                    "radius_km": "10",
                    "category": rng.choice(Category.values),
                }
            )
        return out

    def search(self) -> None:
        from django.test import Client
        from django_scopes import scopes_disabled

        from samen.activities import selectors

        client = Client()
        n = self.args.searches
        places = self.places(n + 30)
        warm, measured = places[:30], places[30:]

        cpu_ms: list[float] = []

        def api(params):
            cpu = time.process_time()
            t = time.perf_counter()
            response = client.get("/api/v1/activities", params)
            ms = (time.perf_counter() - t) * 1000
            cpu_ms.append((time.process_time() - cpu) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"API {response.status_code}: {response.content[:300]!r}")
            return ms, response.json()["count"]

        def bare_sql(params):
            """The endpoint's two statements, executed bare: step 1 (the values of every
            match) and step 2 (the first page's rows with their activity and organisation)."""
            search = selectors.parse_search(dict(params))
            with scopes_disabled():
                step1 = selectors.occurrences(search, None).values_list(*selectors.MATCH_FIELDS)
                sql, sql_params = step1[:2000].query.get_compiler(using="default").as_sql()
            t = time.perf_counter()
            with self.connection.cursor() as cursor:
                cursor.execute(sql, sql_params)
                rows = cursor.fetchall()
            ms = (time.perf_counter() - t) * 1000
            with scopes_disabled():
                step2 = selectors.page_queryset([row[0] for row in rows[:20]])
                sql2, sql2_params = step2.query.get_compiler(using="default").as_sql()
            t = time.perf_counter()
            with self.connection.cursor() as cursor:
                cursor.execute(sql2, sql2_params)
                cursor.fetchall()
            ms += (time.perf_counter() - t) * 1000
            return ms, len(rows), sql, sql_params

        for params in warm:
            api(params)
            bare_sql(params)
        cpu_ms.clear()
        api_ms, sql_ms, counts, fetched, ratios = [], [], [], [], []
        for k, params in enumerate(measured):
            # Alternate the order, so neither side always runs on the cache the other warmed.
            if k % 2:
                a, count = api(params)
                s, nrows, _sql, _p = bare_sql(params)
            else:
                s, nrows, _sql, _p = bare_sql(params)
                a, count = api(params)
            api_ms.append(a)
            sql_ms.append(s)
            counts.append(count)
            fetched.append(nrows)
            ratios.append(a / s if s else float("nan"))
        _s, _n, sql, sql_params = bare_sql(measured[0])
        plan = self.explain(sql, sql_params)
        info = {
            "n": n,
            "client": "django.test.Client (in-process, no network)",
            "params_example": measured[0],
            "api_p50": percentile(api_ms, 50),
            "api_p95": percentile(api_ms, 95),
            "api_p99": percentile(api_ms, 99),
            "api_mean": statistics.fmean(api_ms),
            # CPU time of this process per API call: all of it on SQLite (in-process), all but
            # the server's on PostgreSQL. Wall time minus this is waiting (other processes).
            "api_cpu_p50": percentile(cpu_ms, 50),
            "api_cpu_p95": percentile(cpu_ms, 95),
            "sql_p50": percentile(sql_ms, 50),
            "sql_p95": percentile(sql_ms, 95),
            "sql_p99": percentile(sql_ms, 99),
            "ratio_p50": percentile(api_ms, 50) / percentile(sql_ms, 50),
            "ratio_p95": percentile(api_ms, 95) / percentile(sql_ms, 95),
            "ratio_median_per_search": statistics.median(ratios),
            "count_p50": int(statistics.median(counts)),
            "count_max": max(counts),
            "rows_p50": int(statistics.median(fetched)),
            "rows_max": max(fetched),
            "rows_at_cap_2000": sum(1 for r in fetched if r >= 2000),
            "sql": sql % tuple(repr(p) for p in sql_params) if "%s" in sql else sql,
            "plan": plan,
        }
        info["pass"] = info["api_p95"] < TARGET_SEARCH_P95_MS
        info["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        # By result size: where is it slow?
        buckets: dict[str, list[float]] = {}
        for a, r in zip(api_ms, fetched, strict=True):
            key = "<250" if r < 250 else "250-999" if r < 1000 else ">=1000"
            buckets.setdefault(key, []).append(a)
        info["api_p50_by_rows"] = {
            k: round(percentile(v, 50), 1) for k, v in sorted(buckets.items())
        }
        info["api_by_rows_n"] = {k: len(v) for k, v in sorted(buckets.items())}
        self.results["search"] = info
        log(
            f"{self.db}: search API p50/p95/p99 {info['api_p50']:.1f}/{info['api_p95']:.1f}/"
            f"{info['api_p99']:.1f} ms (CPU p50/p95 {info['api_cpu_p50']:.1f}/"
            f"{info['api_cpu_p95']:.1f} ms); SQL {info['sql_p50']:.1f}/{info['sql_p95']:.1f}/"
            f"{info['sql_p99']:.1f} ms; ratio {info['ratio_p50']:.1f}x; results median "
            f"{info['count_p50']}, rows fetched median {info['rows_p50']} max {info['rows_max']}"
        )
        log(f"{self.db}: plan:\n{plan}")
        if self.args.profile:
            self.profile_search(client, measured[:60])
        self.search_breakdown(measured[:100])

    def explain(self, sql, params) -> str:
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                return "\n".join(str(r[-1]) for r in cursor.fetchall())
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join(r[0] for r in cursor.fetchall())

    def search_breakdown(self, measured) -> None:
        """Where an API search spends its time: parsing, step 1 (values of every match,
        distance, de-duplication), step 2 (the page's rows)."""
        from django_scopes import scopes_disabled

        from samen.activities import selectors

        parts = {"parse": [], "step1_matches": [], "step2_page": []}
        for params in measured:
            t = time.perf_counter()
            search = selectors.parse_search(dict(params))
            parts["parse"].append(time.perf_counter() - t)
            with scopes_disabled():
                t = time.perf_counter()
                found = selectors.matches(search, None)
                parts["step1_matches"].append(time.perf_counter() - t)
                t = time.perf_counter()
                selectors.listings(found[:20])
                parts["step2_page"].append(time.perf_counter() - t)
        out = {k: round(statistics.median(v) * 1000, 2) for k, v in parts.items()}
        self.results["search"]["breakdown_median_ms"] = out
        log(f"{self.db}: breakdown (median ms): {out}")

    def profile_search(self, client, measured) -> None:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for params in measured:
            client.get("/api/v1/activities", params)
        profiler.disable()
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(18)
        stats.sort_stats("cumulative").print_stats(30)
        path = Path(f"/tmp/bench-activities-{self.db}-search.prof.txt")
        path.write_text(stream.getvalue())
        self.results["search"]["profile"] = str(path)
        log(f"{self.db}: cProfile of {len(measured)} API searches in {path}")

    # --- 3. import -------------------------------------------------------------------------------

    def write_feeds(self, directory: Path, orgs, dtstamp: str) -> list[Path]:
        from samen.core.places import OfflineGeocoder

        rng = random.Random(self.args.seed + 2)
        known = [k for k in OfflineGeocoder.table() if not k.startswith("_")]
        today = dt.date.today()
        paths = []
        for f, org in enumerate(orgs):
            venues = []
            for v in range(3):
                pc4 = rng.choice(known) if rng.random() < 0.5 else str(1000 + rng.randrange(9000))
                postcode = f"{pc4} {chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}"
                venues.append(
                    f"{VENUES[(f + v) % len(VENUES)]}, {rng.choice(STREETS)} {rng.randint(1, 99)}, "
                    f"{postcode} {org.municipality.name}"
                )
            lines = [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                f"PRODID:-//{org.name}//Agenda//NL",
                f"X-WR-CALNAME:{org.name}",
                "X-WR-TIMEZONE:Europe/Amsterdam",
            ]
            for e in range(self.args.events):
                template, _cats = rng.choice(CATEGORY_TEMPLATES)
                hour, minute = rng.choice(TIMES)
                uid = f"feed{f:04d}-event{e:02d}@bench.samen.example"
                recurring = e < self.args.events * 0.6
                if recurring:
                    day = today + dt.timedelta(days=rng.randint(-200, 14))
                else:
                    day = today + dt.timedelta(days=rng.randint(0, 115))
                starts = dt.datetime.combine(day, dt.time(hour, minute))
                ends = starts + dt.timedelta(minutes=rng.choice([60, 90, 120]))
                event = [
                    "BEGIN:VEVENT",
                    f"UID:{uid}",
                    f"DTSTAMP:{dtstamp}",
                    f"DTSTART;TZID=Europe/Amsterdam:{starts:%Y%m%dT%H%M%S}",
                    f"DTEND;TZID=Europe/Amsterdam:{ends:%Y%m%dT%H%M%S}",
                ]
                override = None
                if recurring:
                    if rng.random() < 0.7:
                        rule = f"FREQ=WEEKLY;BYDAY={WEEKDAYS[day.weekday()]}"
                        step = dt.timedelta(weeks=1)
                    else:
                        while day.day > 28:
                            day -= dt.timedelta(days=1)
                            starts -= dt.timedelta(days=1)
                            ends -= dt.timedelta(days=1)
                        event[3] = f"DTSTART;TZID=Europe/Amsterdam:{starts:%Y%m%dT%H%M%S}"
                        event[4] = f"DTEND;TZID=Europe/Amsterdam:{ends:%Y%m%dT%H%M%S}"
                        rule = (
                            f"FREQ=MONTHLY;BYDAY={(day.day - 1) // 7 + 1}{WEEKDAYS[day.weekday()]}"
                        )
                        step = None
                    event.append(f"RRULE:{rule}")
                    if step is not None and rng.random() < 0.3:
                        # A cancelled date: the first one in a few weeks.
                        skip = starts
                        while skip.date() < today + dt.timedelta(days=14):
                            skip += step
                        event.append(f"EXDATE;TZID=Europe/Amsterdam:{skip:%Y%m%dT%H%M%S}")
                    if step is not None and rng.random() < 0.1:
                        moved = starts
                        while moved.date() < today + dt.timedelta(days=21):
                            moved += step
                        override = (moved, moved + dt.timedelta(days=1), ends - starts)
                text = [
                    f"SUMMARY:{template}",
                    f"DESCRIPTION:{rng.choice(DESCRIPTIONS)}",
                    f"LOCATION:{rng.choice(venues)}",
                    f"URL:https://org{f}.example/agenda/{e}",
                    "END:VEVENT",
                ]
                lines += event + text
                if override:
                    recurrence_id, new_start, length = override
                    lines += [
                        "BEGIN:VEVENT",
                        f"UID:{uid}",
                        f"DTSTAMP:{dtstamp}",
                        f"RECURRENCE-ID;TZID=Europe/Amsterdam:{recurrence_id:%Y%m%dT%H%M%S}",
                        f"DTSTART;TZID=Europe/Amsterdam:{new_start:%Y%m%dT%H%M%S}",
                        f"DTEND;TZID=Europe/Amsterdam:{new_start + length:%Y%m%dT%H%M%S}",
                        f"SUMMARY:{template} (verzet)",
                        "END:VEVENT",
                    ]
            lines.append("END:VCALENDAR")
            path = directory / f"feed-{f + 1:04d}.ics"
            path.write_text("\r\n".join(fold(line) for line in lines) + "\r\n", encoding="utf-8")
            paths.append(path)
        return paths

    def import_state(self) -> dict:
        import hashlib

        from samen.activities.models import Activity, Occurrence

        acts = Activity.objects.filter(organisation__slug__startswith=IMPORT_ORG_PREFIX)
        digest = hashlib.sha256()
        for row in acts.order_by("pk").values_list("pk", "source_uid", "source_hash", "updated_at"):
            digest.update(repr(row).encode())
        occ = Occurrence.objects.filter(activity__organisation__slug__startswith=IMPORT_ORG_PREFIX)
        odigest = hashlib.sha256()
        for row in occ.order_by("pk").values_list("pk", "activity_id", "starts_at"):
            odigest.update(repr(row).encode())
        return {
            "activities": acts.count(),
            "activities_digest": digest.hexdigest(),
            "occurrences": occ.count(),
            "occurrences_digest": odigest.hexdigest(),
            "all_activities": Activity.objects.count(),
            "all_occurrences": Occurrence.objects.count(),
        }

    def run_imports(self, feeds_list, label: str, capture: bool = False) -> dict:
        from samen.activities import services

        writes: dict[str, int] = {}
        statements = {"n": 0}

        def wrapper(execute, sql, params, many, context):
            statements["n"] += 1
            verb = sql.lstrip().split(None, 1)[0].upper()
            if verb in ("INSERT", "UPDATE", "DELETE"):
                match = re.search(r'(?:INTO|UPDATE|FROM)\s+"?([a-z_]+)"?', sql, re.I)
                key = f"{verb} {match.group(1) if match else '?'}"
                writes[key] = writes.get(key, 0) + 1
            return execute(sql, params, many, context)

        results = []
        workers = 1 if capture else self.args.workers
        cpu = os.times()
        t = time.perf_counter()
        if workers > 1:
            results = self.import_in_workers([feed.pk for feed in feeds_list], workers, label)
        else:
            with self.connection.execute_wrapper(wrapper) if capture else contextlib.nullcontext():
                for k, feed in enumerate(feeds_list):
                    results.append(services.import_feed(feed=feed, local_files=True))
                    if (k + 1) % 200 == 0:
                        log(f"{self.db}: {label}: {k + 1} feeds, {time.perf_counter() - t:.1f} s")
        seconds = time.perf_counter() - t
        after = os.times()
        cpu_seconds = sum(after[:4]) - sum(cpu[:4])  # this process and its workers
        errors = [r.error for r in results if r.error]
        if errors:
            raise SystemExit(f"import errors: {errors[:3]}")
        out = {
            "seconds": round(seconds, 2),
            "workers": workers,
            "python_cpu_seconds": round(cpu_seconds, 2),
            "created": sum(r.created for r in results),
            "updated": sum(r.updated for r in results),
            "deleted": sum(r.deleted for r in results),
            "unchanged": sum(r.unchanged for r in results),
            "writes": sum(r.writes for r in results),
            "feeds_with_writes": sum(1 for r in results if r.writes),
        }
        if capture:
            out["sql_writes"] = dict(sorted(writes.items()))
            out["sql_statements"] = statements["n"]
        return out

    def import_in_workers(self, feed_ids: list[int], workers: int, label: str) -> list:
        """`workers` processes take one feed at a time, as the db_workers take one
        `tasks.import_feed` each (the task's body, services.import_feed_by_id; the database
        queue itself is left out)."""
        import multiprocessing

        from django.db import connections

        connections.close_all()  # each worker opens its own connection
        context = multiprocessing.get_context("fork")
        results = []
        t = time.perf_counter()
        with context.Pool(workers) as pool:
            for k, result in enumerate(pool.imap(import_one, feed_ids, chunksize=4)):
                results.append(result)
                if (k + 1) % 200 == 0:
                    log(f"{self.db}: {label}: {k + 1} feeds, {time.perf_counter() - t:.1f} s")
            pool.close()
            pool.join()
        return results

    def import_bench(self) -> None:
        from django_scopes import scopes_disabled

        from samen.activities import services
        from samen.activities.models import Activity, Feed, Occurrence
        from samen.core.models import Municipality, Organisation

        args = self.args
        with scopes_disabled():
            # A previous run's import organisations (and what they imported) go first.
            old = Organisation.objects.filter(slug__startswith=IMPORT_ORG_PREFIX)
            if old.exists():
                t = time.perf_counter()
                Occurrence.objects.filter(activity__organisation__in=old).delete()
                Activity.objects.filter(organisation__in=old).delete()
                Feed.objects.filter(organisation__in=old).delete()
                old.delete()
                log(f"{self.db}: removed a previous import run ({time.perf_counter() - t:.1f} s)")
            municipalities = list(
                Municipality.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug")
            )
            if not municipalities:
                municipalities = [Municipality.objects.create(name="Importstad", slug="gem-import")]
            orgs = [
                Organisation(
                    municipality=municipalities[i % len(municipalities)],
                    name=f"Buurtorganisatie {i + 1}",
                    slug=f"{IMPORT_ORG_PREFIX}{i + 1:04d}",
                    kind="residents",
                    postcode="9501AB",
                )
                for i in range(args.feeds)
            ]
            Organisation.objects.bulk_create(orgs)
            orgs = list(
                Organisation.objects.filter(slug__startswith=IMPORT_ORG_PREFIX)
                .select_related("municipality")
                .order_by("slug")
            )
            directory = Path(tempfile.mkdtemp(prefix="bench-activities-feeds-"))
            try:
                t = time.perf_counter()
                paths = self.write_feeds(directory, orgs, "20260101T090000Z")
                size = sum(p.stat().st_size for p in paths)
                log(
                    f"{self.db}: wrote {len(paths)} .ics files ({size / 1e6:.1f} MB) in "
                    f"{time.perf_counter() - t:.1f} s to {directory}"
                )
                feeds_list = [
                    services.add_feed(organisation=org, url=str(path))
                    for org, path in zip(orgs, paths, strict=True)
                ]
                feeds_list = list(
                    Feed.objects.filter(pk__in=[f.pk for f in feeds_list])
                    .select_related("organisation")
                    .order_by("pk")
                )
                before_all = self.import_state()
                first = self.run_imports(feeds_list, "first run")
                state1 = self.import_state()
                first["occurrences"] = state1["occurrences"]
                first["activities"] = state1["activities"]
                first["pass"] = first["seconds"] < TARGET_IMPORT_S
                log(f"{self.db}: first import: {first}")
                feeds_list = list(
                    Feed.objects.filter(pk__in=[f.pk for f in feeds_list])
                    .select_related("organisation")
                    .order_by("pk")
                )
                second = self.run_imports(feeds_list, "second run", capture=True)
                state2 = self.import_state()
                changes = [k for k in state1 if state1[k] != state2[k]]
                second["row_changes"] = len(changes)
                second["changed"] = changes
                row_writes = {
                    k: v for k, v in second["sql_writes"].items() if "activities_feed" not in k
                }
                second["pass"] = second["writes"] == 0 and not changes and not row_writes
                log(f"{self.db}: second import: {second}")
                info = {
                    "first": first,
                    "second": second,
                    "before": before_all,
                    "loadavg_after": [round(x, 2) for x in os.getloadavg()],
                }
                if args.dtstamp_run:
                    self.write_feeds(directory, orgs, "20260301T120000Z")
                    third = self.run_imports(feeds_list, "DTSTAMP-only run", capture=True)
                    log(f"{self.db}: DTSTAMP-only import: {third}")
                    info["dtstamp"] = third
                if args.profile:
                    info["profile"] = self.profile_import(directory, orgs)
                self.results["import"] = info
            finally:
                shutil.rmtree(directory, ignore_errors=True)

    def profile_import(self, directory, orgs) -> str:
        """cProfile of importing 50 fresh feeds (new organisations, same files)."""
        import cProfile
        import io
        import pstats

        from samen.activities import services
        from samen.core.models import Organisation

        extra = [
            Organisation(
                municipality=o.municipality,
                name=o.name + " (profiel)",
                slug=f"{IMPORT_ORG_PREFIX}p{i:03d}",
                postcode="9501AB",
            )
            for i, o in enumerate(orgs[:50])
        ]
        Organisation.objects.bulk_create(extra)
        feeds_list = [
            services.add_feed(organisation=o, url=str(directory / f"feed-{i + 1:04d}.ics"))
            for i, o in enumerate(
                Organisation.objects.filter(slug__startswith=f"{IMPORT_ORG_PREFIX}p").order_by(
                    "slug"
                )
            )
        ]
        profiler = cProfile.Profile()
        t = time.perf_counter()
        profiler.enable()
        for feed in feeds_list:
            services.import_feed(feed=feed, local_files=True)
        profiler.disable()
        seconds = time.perf_counter() - t
        stream = io.StringIO()
        stream.write(f"{len(feeds_list)} feeds in {seconds:.2f} s (under the profiler)\n")
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(40)
        path = Path(f"/tmp/bench-activities-{self.db}-import.prof.txt")
        path.write_text(stream.getvalue())
        log(f"{self.db}: cProfile of importing {len(feeds_list)} feeds in {path}")
        return str(path)

    # --- main ------------------------------------------------------------------------------------

    def run(self) -> None:
        from django_scopes import scopes_disabled

        from samen.activities import services

        self.migrate()
        self.horizon = services._horizon()
        phases = self.args.phases.split(",")
        if "generate" in phases:
            self.generate()
            self.save()
        elif "search" in phases:
            with scopes_disabled():
                done, _exists = self.marker()
            if not done:
                raise SystemExit("No generated data: run with --phases generate first.")
            self.results["generate"] = {**done, "reused": True}
        if "search" in phases:
            self.search()
            self.save()
        if "import" in phases:
            self.import_bench()
            self.save()


def import_one(feed_id: int):
    from django.db import connection

    from samen.activities import services

    result = services.import_feed_by_id(feed_id=feed_id, local_files=True)  # files it wrote
    connection.close_if_unusable_or_obsolete()
    return result


def fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        b = char.encode()
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += b
    parts.append(current.decode())
    return "\r\n ".join(parts)


OCCURRENCE_COLUMNS = ["municipality_id", "activity_id", "starts_at", "ends_at", "cell",
                      "latitude", "longitude", "category_mask", "is_free", "is_accessible",
                      "signup_required", "dedup_key", "is_long"]  # fmt: skip


def direct_occurrences(activity, start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """Benchmark data: the app's own rows (`services.occurrence_rows`, which expands these
    plain weekly and monthly rules with dateutil), with the datetimes adapted for the
    database, in OCCURRENCE_COLUMNS order."""
    from django.db import connection

    from samen.activities import services

    adapt = connection.ops.adapt_datetimefield_value
    return [
        (*row[:2], adapt(row[2]), None if row[3] is None else adapt(row[3]), *row[4:])
        for row in services.occurrence_rows(activity, start, end)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--phases", default="generate,search,import")
    parser.add_argument("--activities", type=int, default=300_000)
    parser.add_argument("--municipalities", type=int, default=350)
    parser.add_argument("--searches", type=int, default=400)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1,
                        help="processes importing feeds in parallel (first run)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--fresh", action="store_true", help="drop the databases first")
    parser.add_argument("--drop", action="store_true", help="only drop the databases")
    parser.add_argument("--dtstamp-run", action="store_true",
                        help="a third import with only DTSTAMP changed")  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="cProfile searches and imports")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        Child(args).run()
        return 0
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
