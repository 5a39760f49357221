#!/usr/bin/env python3
"""Benchmark of partner engagement (samen.partners).

In a fresh database (SQLite in a temporary file, or a fresh PostgreSQL database that is
created and dropped again) this script:

1. migrates, loads the demo and adds 10,000 partners with 200,000 logged contacts to Samenstad;
2. renders the ranked longlist (page 1, the page after rank 7,450 and back, the shortlist
   filter and its page 30: keyset pages) and the "not spoken to in N weeks" list as the
   coordinator (through Django's test client: middleware, session, template), `--repeat`
   times each, and reports the median and worst time and the number of queries (which must not change with
   the page or the size of the list); target: under 100 ms;
3. queues a templated e-mail to 5,000 partners (rendered per partner into the outbox and
   enqueued for the database task queue); target: under 5 s;
4. starts `samen db_worker` with a file-based e-mail backend, SIGKILLs it midway, starts it
   again and waits until the outbox is empty; then counts the delivered messages by their
   Message-ID: every partner exactly once (no duplicates, none missing).

    .venv/bin/python bench/partners.py --db sqlite
    SECRET_KEY=k DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/partners.py --db postgres

Exit status 1 when a target is missed, 2 when the set-up fails.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = 10_000
CONTACTS = 200_000
RECIPIENTS = 5_000
TARGET_RENDER_MS = 100.0
TARGET_QUEUE_S = 5.0
DEEP_RANK = 7_450  # the last row of page 149: the keyset equivalent of OFFSET 7,450
SHORT_DEEP_RANK = 1_450  # page 30 of the shortlist (about 2,000 partners)


def log(message: str) -> None:
    print(message, flush=True)


# --- the worker (a child process) ------------------------------------------------------------


def run_worker(mail_dir: str, batch: bool) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = mail_dir
    args = ["--interval", "0.05", "--no-startup-delay"]
    if batch:
        args.append("--batch")
    call_command("db_worker", *args, verbosity=0)


# --- the benchmark ----------------------------------------------------------------------------


def populate(samenstad) -> list[int]:
    import datetime as dt

    from django.utils import timezone

    from samen.core.models import Organisation
    from samen.partners.models import ContactLog, Partner

    rng = random.Random(42)
    now = timezone.now()
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                municipality=samenstad,
                slug=f"bench-{i}",
                name=f"Bedrijf {i:05d}",
                email=f"info@bedrijf-{i}.example",
            )
            for i in range(PARTNERS)
        ],
        batch_size=2000,
    )
    sectors = ["supermarket", "retail", "sport", "hospitality", "professional", "other"]
    steps = ["prepare", "connect", "persuade", "retain", "strengthen"]
    partners = Partner.objects.bulk_create(
        [
            Partner(
                municipality=samenstad,
                organisation=o,
                sector=rng.choice(sectors),
                step=rng.choice(steps),
                shortlisted=rng.random() < 0.2,
                image_ok=rng.random() < 0.6,
                csr_known=rng.random() < 0.3,
                fits_goals=rng.random() < 0.5,
                earlier_cooperation=rng.random() < 0.2,
                warm_contact=rng.random() < 0.3,
                national_coalition=rng.random() < 0.1,
                daily_routes=(routes := ["groceries"] if rng.random() < 0.4 else []),
                on_daily_route=bool(routes),
                contact_name=f"Contact {o.pk}",
                contact_email=f"contact@bedrijf-{o.pk}.example",
            )
            for o in organisations
        ],
        batch_size=2000,
    )
    ids = [p.pk for p in partners]
    last_spoken: dict[int, dt.datetime] = {}
    batch = []
    for n in range(CONTACTS):
        pk = rng.choice(ids)
        at = now - dt.timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
        kind = rng.choice(["visit", "call", "email", "meeting"])
        if kind != "email" and (pk not in last_spoken or last_spoken[pk] < at):
            last_spoken[pk] = at
        batch.append(
            ContactLog(
                municipality=samenstad, partner_id=pk, kind=kind, at=at, summary=f"Contact {n}"
            )
        )
        if len(batch) == 5000:
            ContactLog.objects.bulk_create(batch)
            batch = []
    ContactLog.objects.bulk_create(batch)
    # Denormalised stamps, as the services keep them.
    updates = [
        Partner(pk=pk, last_spoken_at=at, last_contact_at=at) for pk, at in last_spoken.items()
    ]
    Partner.objects.bulk_update(updates, ["last_spoken_at", "last_contact_at"], batch_size=2000)
    from samen.partners.services import refresh_scores

    refresh_scores(municipality=samenstad)  # as after an import
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does shortly after a bulk load
    return ids


def measure(client, url: str, repeat: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    times, queries = [], set()
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        times.append(elapsed)
        queries.add(len(captured))
    if len(queries) != 1:
        raise AssertionError(f"{url}: the number of queries changed: {sorted(queries)}")
    return statistics.median(times), max(times), queries.pop()


def count_messages(mail_dir: str) -> tuple[int, int]:
    ids = []
    for path in Path(mail_dir).glob("*"):
        for line in path.read_text(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                ids.append(line.split(":", 1)[1].strip())
    return len(ids), len(set(ids))


def run(db: str, repeat: int, kill_after: int, pages_only: bool = False) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_scopes import scopes_disabled

    from samen.core import demo
    from samen.core.models import User
    from samen.core.tenancy import municipality_scope
    from samen.outreach import services
    from samen.outreach.models import EmailSend, EmailTemplate
    from samen.partners.models import Partner

    log(f"== {db}: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    municipalities = demo.load()
    samenstad = municipalities["samenstad"]
    start = time.perf_counter()
    with municipality_scope(samenstad):
        ids = populate(samenstad)
    log(
        f"   data: {PARTNERS:,} partners, {CONTACTS:,} contacts in {time.perf_counter() - start:.1f} s"
    )

    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    failures = []
    results = {}
    with municipality_scope(samenstad):
        ranking = Partner.objects.order_by("-score", "pk").values_list("score", "pk")
        deep = "{}.{}".format(*ranking[DEEP_RANK - 1])  # the page after rank 7,450 (page 150)
        shortlist = Partner.objects.filter(shortlisted=True).order_by("-score", "pk")
        short_deep = "{}.{}".format(*shortlist.values_list("score", "pk")[SHORT_DEEP_RANK - 1])
    for label, url in [
        ("ranked longlist, page 1", "/samenstad/beheer/partners/"),
        ("ranked longlist, page 150", f"/samenstad/beheer/partners/?na={deep}"),
        ("ranked longlist, page 149 (back)", f"/samenstad/beheer/partners/?voor={deep}"),
        ("ranked longlist, shortlist filter", "/samenstad/beheer/partners/?shortlist=1"),
        (
            "ranked longlist, shortlist page 30",
            f"/samenstad/beheer/partners/?shortlist=1&na={short_deep}",
        ),
        ("not spoken to in 8 weeks", "/samenstad/beheer/partners/niet-gesproken/?weken=8"),
        ("not spoken to, page 20", "/samenstad/beheer/partners/niet-gesproken/?weken=8&pagina=20"),
    ]:
        median, worst, queries = measure(client, url, repeat)
        results[label] = (median, worst, queries)
        ok = median < TARGET_RENDER_MS
        failures += [] if ok else [label]
        log(
            f"   {label}: median {median:.1f} ms, max {worst:.1f} ms, {queries} queries {'OK' if ok else 'TOO SLOW'}"
        )

    if pages_only:
        return 1 if failures else 0
    coordinator = User.objects.get(username="coordinator")
    with municipality_scope(samenstad):
        template = EmailTemplate.objects.get(name="Lokale ondernemer betrekken")
        selection = Partner.objects.filter(pk__in=ids[:RECIPIENTS])
        from django.db import transaction

        start = time.perf_counter()
        with transaction.atomic():
            queued = services.queue_campaign(
                municipality=samenstad,
                actor=coordinator,
                partners=selection,
                subject=template.subject,
                body=template.body,
                sender="Fatima El Amrani\nRegisseur eenzaamheid",
                template=template,
            )
        queue_s = time.perf_counter() - start
    ok = queue_s < TARGET_QUEUE_S and queued.queued == RECIPIENTS
    failures += [] if ok else ["queue"]
    log(
        f"   queue {queued.queued:,} templated e-mails: {queue_s:.2f} s {'OK' if ok else 'TOO SLOW'}"
    )

    campaign = queued.campaign.pk
    mail_dir = tempfile.mkdtemp(prefix="samen-bench-mail-")
    env = dict(os.environ)
    worker_cmd = [sys.executable, __file__, "--worker", mail_dir]

    def sent() -> int:
        with scopes_disabled():
            return EmailSend.objects.filter(campaign_id=campaign, sent_at__isnull=False).count()

    start = time.perf_counter()
    worker = subprocess.Popen(worker_cmd, env=env, cwd=ROOT)
    while sent() < kill_after and worker.poll() is None:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    at_kill = sent()
    log(f"   worker SIGKILLed after {at_kill:,} sent")
    worker = subprocess.Popen([*worker_cmd, "--batch"], env=env, cwd=ROOT)
    worker.wait(timeout=1800)
    left = RECIPIENTS - sent()
    if left:
        # The killed task's chunk: `resume_deliveries` (daily) re-enqueues it.
        log(f"   {left} left after the restart; running the resume task")
        services.enqueue_delivery(campaign_id=campaign, count=left)
        subprocess.run([*worker_cmd, "--batch"], env=env, cwd=ROOT, check=True, timeout=1800)
    deliver_s = time.perf_counter() - start
    total, distinct = count_messages(mail_dir)
    duplicates = total - distinct
    ok = distinct == RECIPIENTS and duplicates == 0 and sent() == RECIPIENTS
    failures += [] if ok else ["delivery"]
    log(
        f"   delivered {distinct:,} distinct messages ({total:,} written, {duplicates} duplicates) "
        f"of {RECIPIENTS:,} in {deliver_s:.1f} s with one kill {'OK' if ok else 'FAILED'}"
    )
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--kill-after", type=int, default=1500, help="SIGKILL the worker after N sent"
    )
    parser.add_argument(
        "--pages-only", action="store_true", help="measure the pages only (no e-mail)"
    )
    parser.add_argument("--worker", metavar="MAIL_DIR", help=argparse.SUPPRESS)
    parser.add_argument("--batch", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")
    if args.worker:
        run_worker(args.worker, args.batch)
        return 0

    os.environ["SAMEN_TASKS_BACKEND"] = "database"
    os.environ["SAMEN_RATELIMIT"] = "0"
    os.environ["SAMEN_HTTPS"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    log(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    if args.db == "sqlite":
        directory = tempfile.mkdtemp(prefix="samen-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        return run("sqlite", args.repeat, args.kill_after, args.pages_only)

    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    prefix, _sep, _name = base.rpartition("/")
    name = f"samen_bench_partners_{os.getpid()}"
    try:
        with psycopg.connect(f"{prefix}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        log(f"cannot create the PostgreSQL database: {exc}")
        return 2
    os.environ["DATABASE_URL"] = f"{prefix}/{name}"
    try:
        return run("postgres", args.repeat, args.kill_after, args.pages_only)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{prefix}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
