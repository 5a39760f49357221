"""Workflows of the activity hub: import feeds, enter activities by hand, keep occurrences
materialised, and let organisations join in two minutes."""

import datetime as dt
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samen.core import audit, signup
from samen.core.models import Municipality, Organisation, Signup, User
from samen.core.places import Point, cell_of, geocode

from . import calendar, feeds
from .models import Activity, Feed, Occurrence, Registration, category_mask, make_dedup_key

logger = logging.getLogger(__name__)

POSTCODE_IN_TEXT = re.compile(r"\b([1-9][0-9]{3})\s?([A-Z]{2})\b")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    not_modified: bool = False
    error: str = ""
    # What was not imported or cut (refused items, occurrence limits), for the organisation.
    notes: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return self.created + self.updated + self.deleted


def _horizon() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    start = now - dt.timedelta(days=1)
    return start, now + dt.timedelta(days=settings.SAMEN_OCCURRENCE_HORIZON_DAYS)


def _schedule_text(activity: Activity) -> str:
    if activity.ical:
        return activity.ical
    if activity.starts_at is None:
        return ""
    return calendar.build_vevent(
        uid=f"activity-{activity.pk}@samen",
        title=activity.title,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        rrule=activity.rrule,
    )


# The columns of an occurrence row, in the order `occurrence_rows` gives them.
OCCURRENCE_FIELDS = ["municipality", "activity", "starts_at", "ends_at", "cell", "latitude",
                     "longitude", "category_mask", "is_free", "is_accessible", "signup_required",
                     "dedup_key"]  # fmt: skip


def occurrence_dates(
    activity: Activity, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """The (start, end) of each date of one activity in [start, end), at most
    SAMEN_MAX_OCCURRENCES_PER_ACTIVITY (the first ones)."""
    return _all_dates(activity, start, end)[: settings.SAMEN_MAX_OCCURRENCES_PER_ACTIVITY]


def _all_dates(
    activity: Activity, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    if activity.kind == Activity.Kind.POST or activity.starts_at is None:
        return []
    if calendar.is_plain(activity.rrule, activity.ical):
        return calendar.expand_plain(
            activity.rrule,
            activity.starts_at,
            activity.ends_at,
            start,
            end,
            cancelled=calendar.cancelled_dates(activity.ical),
        )
    if activity.rrule or calendar.has_extra_dates(activity.ical):
        return calendar.expand(_schedule_text(activity), start, end)
    return [(activity.starts_at, activity.ends_at)] if start <= activity.starts_at < end else []


def occurrence_rows(
    activity: Activity, start: dt.datetime, end: dt.datetime, dates: list | None = None
) -> list[tuple]:
    """The occurrences of one activity in [start, end) (or its `dates`, worked out before)
    as rows of OCCURRENCE_FIELDS (no model instances: an import writes hundreds of
    thousands)."""
    if dates is None:
        dates = occurrence_dates(activity, start, end)
    cell = None
    if activity.latitude is not None and activity.longitude is not None:
        cell = cell_of(activity.latitude, activity.longitude)
    mask = category_mask(activity.categories)
    return [
        (
            activity.municipality_id,
            activity.pk,
            begins,
            ends,
            cell,
            activity.latitude,
            activity.longitude,
            mask,
            activity.is_free,
            activity.wheelchair,
            activity.signup_required,
            activity.dedup_key,
        )
        for begins, ends in dates
    ]


def _insert_occurrences(rows: list[tuple]) -> None:
    """One multi-row INSERT (executemany) without building model instances."""
    if not rows:
        return
    columns = [
        str(Occurrence._meta.get_field(name).column)  # type: ignore[union-attr]
        for name in OCCURRENCE_FIELDS
    ]
    adapt = connection.ops.adapt_datetimefield_value
    # Table and column names from the model; the values are parameters.
    sql = f"INSERT INTO {Occurrence._meta.db_table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(*row[:2], adapt(row[2]), adapt(row[3]), *row[4:]) for row in rows]
        )


def refresh_occurrences(
    activities: list[Activity], *, new: bool = False, dates: dict[int, list] | None = None
) -> int:
    """Re-materialise the occurrences of these activities over the horizon (`new`: they
    have none yet; `dates`: each activity's dates by `id(activity)`, worked out before)."""
    start, end = _horizon()
    if not new:
        Occurrence.objects.filter(activity__in=[a.pk for a in activities]).delete()
    rows = [
        row
        for activity in activities
        for row in occurrence_rows(
            activity, start, end, None if dates is None else dates[id(activity)]
        )
    ]
    _insert_occurrences(rows)
    return len(rows)


def _place(location: str, organisation: Organisation) -> tuple[str, Point | None]:
    match = POSTCODE_IN_TEXT.search(location.upper())
    postcode = (
        (match.group(1) + match.group(2))
        if match
        else organisation.postcode.replace(" ", "").upper()
    )
    return postcode, geocode(postcode) if postcode else None


def _apply_item(activity: Activity, item: feeds.Item, organisation: Organisation) -> None:
    postcode, point = _place(item.location, organisation)
    activity.kind = item.kind
    activity.title = item.title
    activity.description = item.description
    activity.starts_at = item.starts_at
    activity.ends_at = item.ends_at
    activity.rrule = item.rrule
    activity.ical = item.ical if item.rrule or calendar.has_extra_dates(item.ical) else ""
    activity.venue = item.location
    activity.postcode = postcode
    activity.latitude = point.latitude if point else None
    activity.longitude = point.longitude if point else None
    activity.url = item.url
    activity.is_free = item.is_free
    activity.image_url = item.image_url
    activity.source_hash = item.fingerprint()
    activity.dedup_key = make_dedup_key(item.title, item.starts_at, postcode)
    activity.updated_at = timezone.now()


# What an import rewrites of an activity that changed in its feed.
IMPORTED_FIELDS = ["kind", "title", "description", "starts_at", "ends_at", "rrule", "ical",
                   "venue", "postcode", "latitude", "longitude", "url", "is_free", "source_hash",
                   "dedup_key", "updated_at", "image_url"]  # fmt: skip


def upsert_items(
    *,
    feed: Feed,
    items: list[feeds.Item],
    remove: bool = True,
    budget: feeds.Budget | None = None,
) -> ImportResult:
    """Upsert by source UID: unchanged items are not written, items gone from the feed are
    deleted (only with `remove`: a download that read completely and looks like the feed of
    last time). Only called with a feed that was read successfully. New and changed
    activities are written in bulk, one statement each per feed. An item that cannot be
    imported is skipped (its stored version stays) and named in the notes."""
    result = ImportResult()
    skipped: list[tuple[str, str]] = []
    organisation = feed.organisation
    existing = {
        a.source_uid: a for a in Activity.objects.filter(organisation=organisation, feed=feed)
    }
    seen: set[str] = set()
    created: list[Activity] = []
    updated: list[Activity] = []
    for item in items:
        if item.uid in seen:
            continue
        seen.add(item.uid)  # a refused item is seen too: its stored version stays
        if item.refused:
            skipped.append((item.title, item.refused))
            continue
        activity = existing.get(item.uid)
        if activity is not None and activity.source_hash == item.fingerprint():
            continue
        if activity is None:
            activity = Activity(
                municipality_id=feed.municipality_id,
                organisation=organisation,
                feed=feed,
                source_uid=item.uid,
                categories=guess_categories(item),
            )
            created.append(activity)
        else:
            updated.append(activity)
        _apply_item(activity, item, organisation)
    gone = [a.pk for uid, a in existing.items() if uid not in seen] if remove else []
    # The dates are worked out before the write transaction, which on SQLite holds the one
    # writer's lock: two workers importing feeds then overlap their expensive parts.
    start, end = _horizon()
    notes: list[str] = []
    dates = _limited_dates(
        feed, created, updated, gone, start, end, notes, skipped, budget or feeds.Budget()
    )
    created = [a for a in created if id(a) in dates]
    updated = [a for a in updated if id(a) in dates]
    if skipped:
        result.notes.append(
            _("%(n)d van %(total)d items overgeslagen: %(items)s.")
            % {
                "n": len(skipped),
                "total": len(seen),
                "items": "; ".join(f"“{title}” {reason}" for title, reason in skipped),
            }
        )
    result.notes += notes
    with transaction.atomic():
        if gone:
            Activity.objects.filter(pk__in=gone).delete()
        if updated:
            Activity.objects.bulk_update(updated, IMPORTED_FIELDS)
            refresh_occurrences(updated, dates=dates)
        if created:
            Activity.objects.bulk_create(created)
            refresh_occurrences(created, new=True, dates=dates)
    result.created, result.updated, result.deleted = len(created), len(updated), len(gone)
    result.unchanged = len(seen) - len(created) - len(updated) - len(skipped)
    return result


CATEGORY_WORDS = {
    "eating": ("eten", "maaltijd", "lunch", "diner", "soep"),
    "meeting": ("koffie", "ontmoet", "inloop", "praatje", "thee"),
    "exercise": ("sport", "gym", "bewegen", "yoga", "voetbal", "fitness", "dans"),
    "walking": ("wandel",),
    "culture": ("museum", "muziek", "concert", "theater", "film", "lezing"),
    "creative": ("schilder", "brei", "haak", "creatief", "knutsel", "teken"),
    "learning": ("taal", "cursus", "les ", "digitaal", "computer", "leren"),
    "games": ("spel", "bingo", "kaart", "sjoel", "schaak"),
    "advice": ("spreekuur", "advies", "hulp", "belasting"),
    "buddy": ("maatje", "buddy"),
}


CATEGORY_PATTERNS = {
    category: re.compile("|".join(r"\b" + re.escape(word.strip()) for word in words))
    for category, words in CATEGORY_WORDS.items()
}


def _limited_dates(
    feed: Feed,
    created: list[Activity],
    updated: list[Activity],
    gone: list[int],
    start: dt.datetime,
    end: dt.datetime,
    notes: list[str],
    skipped: list[tuple[str, str]],
    clock: feeds.Budget,
) -> dict[int, list]:
    """Each new or changed activity's dates by `id(activity)`, within the limits per
    activity and per feed (what the feed's other activities already hold counts); what is
    cut is added to `notes`. An activity whose schedule cannot be worked out is left out
    of the result and added to `skipped`."""
    per_activity = settings.SAMEN_MAX_OCCURRENCES_PER_ACTIVITY
    from django.db.models import Count

    rewritten = {a.pk for a in updated} | set(gone)
    held = (
        Occurrence.objects.filter(activity__feed=feed)
        .values_list("activity_id")
        .annotate(n=Count("pk"))
    )  # per activity, so no long IN list of the rewritten ones
    budget = settings.SAMEN_MAX_OCCURRENCES_PER_FEED - sum(
        n for activity_id, n in held if activity_id not in rewritten
    )
    dates: dict[int, list] = {}
    cut_for_feed = without = 0
    for activity in created + updated:
        clock.check()
        if budget <= 0 and activity.kind == Activity.Kind.ACTIVITY and activity.starts_at:
            # The feed is full: expanding the rest would only cost time (seconds for
            # thousands of series) for dates that are cut anyway.
            dates[id(activity)] = []
            without += 1
            continue
        try:
            found = _all_dates(activity, start, end)
        except Exception:  # a rule the expansion chokes on: skip this activity only
            skipped.append((activity.title, _("heeft een herhaling die niet te berekenen is")))
            continue
        if len(found) > per_activity:
            notes.append(
                _(
                    "“%(title)s” heeft %(n)d data in de komende periode; alleen de eerste %(max)d zijn opgenomen."
                )
                % {"title": activity.title, "n": len(found), "max": per_activity}
            )
            found = found[:per_activity]
        if len(found) > budget:
            cut_for_feed += len(found) - max(budget, 0)
            found = found[: max(budget, 0)]
        budget -= len(found)
        dates[id(activity)] = found
    if cut_for_feed or without:
        notes.append(
            _(
                "Niet alle data zijn opgenomen: een feed heeft er hoogstens %(max)d; %(n)d zijn weggelaten."
            )
            % {"max": settings.SAMEN_MAX_OCCURRENCES_PER_FEED, "n": cut_for_feed}
        )
    if without:
        notes.append(
            _("%(n)d activiteiten hebben daardoor geen data in de agenda gekregen.")
            % {"n": without}
        )
    return dates


def guess_categories(item: feeds.Item) -> list[str]:
    """Feeds rarely carry our categories: a first guess from the words; editable later."""
    text = f" {item.title} {item.description} ".lower()
    return [category for category, pattern in CATEGORY_PATTERNS.items() if pattern.search(text)]


def import_feed(
    *, feed: Feed, source: str | None = None, local_files: bool = False
) -> ImportResult:
    """Read a feed and upsert what it holds. A body identical to the one imported last time
    is not parsed again. A broken feed never deletes what was imported before: the error is
    stored on the feed for the organisation to see. `local_files`: the feed may be a path
    on this server (only the command line says so)."""
    now = timezone.now()
    try:
        fetched = feeds.fetch(
            source or feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            local_files=local_files,
        )
        digest = hashlib.sha256(fetched.body).hexdigest() if fetched.body is not None else ""
        if fetched.body is None or digest == feed.content_hash:
            if feed.last_success_at is not None and feed.last_success_at == feed.last_checked_at:
                # Read as last time: what was cut then (last_error) still holds.
                Feed.objects.filter(pk=feed.pk).update(last_checked_at=now, last_success_at=now)
            else:
                Feed.objects.filter(pk=feed.pk).update(last_checked_at=now, last_error="")
            return ImportResult(not_modified=True, unchanged=feed.activities.count())
        kind = feeds.detect(fetched.body, fetched.content_type)
        budget = feeds.Budget()
        items = feeds.parse(fetched.body, kind, budget)
        suspicious = feeds.incomplete(fetched.body, kind)
        if suspicious and kind != "jsonld":
            items = items[:-1]  # the last item is the one cut off
        suspicious = suspicious or _suspicious(feed, kind, items)
        result = upsert_items(feed=feed, items=items, remove=not suspicious, budget=budget)
    except feeds.FeedError as error:
        Feed.objects.filter(pk=feed.pk).update(last_checked_at=now, last_error=str(error))
        return ImportResult(error=str(error))
    except Exception:  # whatever else: the next feed is imported all the same
        logger.exception("Import of feed %s failed", feed.pk)
        message = _(
            "Bij het verwerken van de feed ging iets mis; de opgeslagen activiteiten zijn "
            "bewaard. Probeer het later opnieuw."
        )
        Feed.objects.filter(pk=feed.pk).update(last_checked_at=now, last_error=message)
        return ImportResult(error=message)
    imported = {
        # A feed that changed kind keeps the old one: it is compared again next time.
        "kind": feed.kind if suspicious and feed.last_success_at else kind,
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "content_hash": digest,
        "last_checked_at": now,
        "last_success_at": now,
        "last_error": " ".join(result.notes),  # imported, but not all of it
        "suspicious": suspicious,
    }
    Feed.objects.filter(pk=feed.pk).update(**imported)
    for name, value in imported.items():
        setattr(feed, name, value)
    return result


def _suspicious(feed: Feed, kind: str, items: list[feeds.Item]) -> str:
    """Why this download may not be the feed of last time ("" when it looks right):
    another kind, or less than half of what is stored. Then nothing is removed."""
    stored = Activity.objects.filter(feed=feed).count()
    if stored and feed.last_success_at and kind != feed.kind:
        return _("Dit adres gaf eerder een %(old)s en nu een %(new)s.") % {
            "old": Feed.Kind(feed.kind).label,
            "new": Feed.Kind(kind).label,
        }
    found = len({item.uid for item in items})
    if found * 2 < stored:
        return _(
            "De feed heeft nu %(n)d items, terwijl er %(stored)d zijn opgeslagen; de "
            "opgeslagen activiteiten zijn bewaard."
        ) % {"n": found, "stored": stored}
    return ""


def add_feed(*, organisation: Organisation, url: str, active: bool = True) -> Feed:
    feed, _created = Feed.objects.get_or_create(
        municipality_id=organisation.municipality_id,
        organisation=organisation,
        url=feeds.normalise_url(url),
        defaults={"kind": Feed.Kind.ICAL, "is_active": active},
    )
    return feed


def preview(url: str) -> tuple[str, list[feeds.Item]]:
    """What is at this address, before anything is saved. Raises FeedError."""
    fetched = feeds.fetch(url)
    kind = feeds.detect(fetched.body or b"", fetched.content_type)
    return kind, feeds.parse(fetched.body or b"", kind)


def refresh_all_feeds() -> int:
    """The scheduled refresh: one task per active feed, so several workers import in
    parallel. Returns the number of feeds queued."""
    from django_scopes import scopes_disabled

    from .tasks import import_feed as import_feed_task

    with scopes_disabled():
        # A feed that is a file on this server (the demo's) is read by the command line only.
        active = Feed.objects.filter(is_active=True).filter(
            Q(url__istartswith="http://") | Q(url__istartswith="https://")
        )
        ids = list(active.order_by("pk").values_list("pk", flat=True))
    for feed_id in ids:
        import_feed_task.enqueue(feed_id=feed_id)
    return len(ids)


def import_feed_by_id(*, feed_id: int, local_files: bool = False) -> ImportResult | None:
    """One feed of the scheduled refresh (in a worker, across municipalities).
    `local_files` only for command-line tools (the benchmark)."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        feed = (
            Feed.objects.filter(pk=feed_id, is_active=True).select_related("organisation").first()
        )
        return import_feed(feed=feed, local_files=local_files) if feed is not None else None


def extend_horizon() -> int:
    """Daily: materialise the next days of recurring activities, within the limit per feed
    (what a feed's one-off activities hold counts)."""
    from django.db.models import Count
    from django_scopes import scopes_disabled

    start, end = _horizon()
    count = 0
    with scopes_disabled():
        recurring = Activity.objects.exclude(rrule="", ical="").only("pk")  # RDATEs too
        one_off = (
            Occurrence.objects.filter(activity__feed__isnull=False)
            .exclude(activity__in=recurring)
            .values_list("activity__feed")
            .annotate(n=Count("pk"))
        )
        left = dict.fromkeys(
            Feed.objects.values_list("pk", flat=True), settings.SAMEN_MAX_OCCURRENCES_PER_FEED
        )
        for feed_id, n in one_off:
            left[feed_id] -= n
        batch: list[Activity] = []
        dates: dict[int, list] = {}
        activities = Activity.objects.filter(pk__in=recurring).order_by("pk")
        for activity in activities.iterator(chunk_size=500):
            found = occurrence_dates(activity, start, end)
            if activity.feed_id is not None:
                found = found[: max(left[activity.feed_id], 0)]
                left[activity.feed_id] -= len(found)
            batch.append(activity)
            dates[id(activity)] = found
            if len(batch) == 500:
                count += refresh_occurrences(batch, dates=dates)
                batch, dates = [], {}
        if batch:
            count += refresh_occurrences(batch, dates=dates)
    return count


def _check_publisher(activity: Activity, actor: User | None) -> None:
    """The activity's own organisation, or the coordinator; no actor: the demo."""
    if actor is None:
        return
    municipality = activity.municipality
    if not actor.has_samen_perm(municipality, "activities.publish"):
        raise PermissionDenied
    own = actor.organisation_in(municipality)
    if (own is None or own.pk != activity.organisation_id) and not actor.has_samen_perm(
        municipality, "organisations.manage"
    ):
        raise PermissionDenied


def save_activity(*, activity: Activity, actor: User | None, data: dict) -> Activity:
    """Create or edit an activity by hand (organisations without a feed)."""
    _check_publisher(activity, actor)
    for name, value in data.items():
        setattr(activity, name, value)
    point = geocode(activity.postcode) if activity.postcode else None
    activity.latitude = point.latitude if point else None
    activity.longitude = point.longitude if point else None
    activity.dedup_key = make_dedup_key(activity.title, activity.starts_at, activity.postcode)
    activity.updated_at = timezone.now()
    activity.ical = ""  # hand-entered: the schedule is built from the fields
    with transaction.atomic():
        activity.save()
        refresh_occurrences([activity])
        audit.record(action="activity.save", actor=actor, obj=activity)
    return activity


def delete_activity(*, activity: Activity, actor: User | None) -> None:
    _check_publisher(activity, actor)
    with transaction.atomic():
        audit.record(action="activity.delete", actor=actor, obj=activity, title=activity.title)
        activity.delete()


# --- Joining ---------------------------------------------------------------------------------

JOIN = "agenda"  # the purpose of these sign-ups in samen.core.signup


def join(
    *, municipality: Municipality, name: str, email: str, website: str = "", feed_url: str = ""
) -> bool:
    """An organisation asks to join: nothing exists until its address is confirmed (one
    confirmation mail per address per hour; False when this one was not sent)."""

    return signup.start(
        municipality=municipality,
        purpose=JOIN,
        email=email,
        data={"name": name, "email": email, "website": website, "feed_url": feed_url},
        confirm_view="activities:join-confirm",
        subject=_("Bevestig uw aanmelding bij Samen %(place)s") % {"place": municipality.name},
        body=_(
            "Hallo,\n\nBevestig uw aanmelding met deze link:\n%%(link)s\n\nDaarna verschijnt uw "
            "agenda op Samen %(place)s.\n\nHeeft u zich niet aangemeld? Dan kunt u deze e-mail "
            "negeren."
        )
        % {"place": municipality.name},
    )


def confirm_join(*, municipality: Municipality, token: str) -> Registration | Signup | None:
    """The link was clicked: the organisation now exists (its registration), or, when it
    resembles one that exists, the sign-up waits for the coordinator. None: unknown link."""
    with transaction.atomic():
        confirmed = signup.confirm(municipality=municipality, purpose=JOIN, token=token)
        if confirmed is None:
            return None
        pending = confirmed.signup
        if not confirmed.first:
            registration = (
                Registration.objects.filter(organisation_id=pending.result_id).first()
                if pending.result_id is not None
                else None
            )
            return registration or pending
        data = pending.data
        match = signup.matching_organisation(
            municipality=municipality, name=data["name"], email=data["email"]
        )
        if match is not None:
            return signup.hold(signup=pending, match=match)
        registration = _new_organisation(pending, approved_by=None)
    _activate_if_ready(registration, by_visitor=True)
    return registration


def _new_organisation(pending: Signup, approved_by: User | None) -> Registration:
    data, municipality = pending.data, pending.municipality
    base = slugify(data["name"])[:80] or "organisatie"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    organisation = Organisation.objects.create(
        municipality=municipality,
        name=data["name"],
        slug=slug,
        email=data["email"],
        website=data.get("website", ""),
    )
    registration = Registration.objects.create(
        municipality=municipality,
        organisation=organisation,
        email_confirmed_at=pending.confirmed_at,
        approved_at=timezone.now() if approved_by else None,
    )
    if data.get("feed_url"):
        add_feed(organisation=organisation, url=data["feed_url"], active=False)
    pending.result = organisation
    pending.save(update_fields=["result"])
    audit.record(action="organisation.join", actor=approved_by, obj=organisation)
    return registration


def _merge_signup(pending: Signup, organisation: Organisation, actor: User) -> None:
    """The coordinator says this sign-up is that organisation: its feed is added; the
    organisation's name and contact details stay as they are."""
    if pending.data.get("feed_url"):
        feed = add_feed(organisation=organisation, url=pending.data["feed_url"], active=True)
        if not feed.is_active:
            feed.is_active = True
            feed.save(update_fields=["is_active"])
        from .tasks import import_feed as import_feed_task

        transaction.on_commit(lambda: import_feed_task.enqueue(feed_id=feed.pk))


def _create_from_signup(pending: Signup, actor: User) -> Organisation:
    registration = _new_organisation(pending, approved_by=actor)
    _activate_if_ready(registration)
    return registration.organisation


# registered by ActivitiesConfig.ready()
SIGNUP_HANDLER = signup.Handler(
    label=gettext_lazy("Agenda"), merge=_merge_signup, create=_create_from_signup
)


def approve(*, registration: Registration, actor: User) -> Registration:
    if not actor.has_samen_perm(registration.municipality, "organisations.manage"):
        raise PermissionDenied
    registration.approved_at = timezone.now()
    registration.save(update_fields=["approved_at"])
    audit.record(action="organisation.approve", actor=actor, obj=registration.organisation)
    _activate_if_ready(registration)
    return registration


def tasks_run_in_this_request() -> bool:
    """The default (laptop) task backend runs a task inside the request that queues it."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend)


def _activate_if_ready(registration: Registration, *, by_visitor: bool = False) -> None:
    """The feed is imported by a task. When an anonymous visitor's click activates it and
    tasks run in-process, no task is queued: the next refresh round imports it, so that no
    web request of a visitor fetches anything."""
    from .tasks import import_feed as import_feed_task

    if not registration.is_active:
        return
    for feed in Feed.objects.filter(organisation=registration.organisation, is_active=False):
        feed.is_active = True
        feed.save(update_fields=["is_active"])
        if not (by_visitor and tasks_run_in_this_request()):
            import_feed_task.enqueue(feed_id=feed.pk)


def count_usage(*, municipality_id: int, kind: str) -> None:
    """Count a search, subscription or print of the agenda (anonymous, per day)."""
    from django.db import IntegrityError
    from django.db.models import F

    from .models import UsageDay

    day = timezone.localdate()
    rows = UsageDay.objects.filter(municipality_id=municipality_id, day=day)
    if rows.update(**{kind: F(kind) + 1}) == 0:
        try:
            with transaction.atomic():
                UsageDay.objects.create(municipality_id=municipality_id, day=day, **{kind: 1})
        except IntegrityError:
            rows.update(**{kind: F(kind) + 1})


def new_uid() -> str:
    return f"{uuid.uuid4()}@samen"
