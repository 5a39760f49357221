import datetime as dt
import hashlib
import json
import logging
import re
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django_ratelimit.core import is_ratelimited

from samen.core.access import staff_view
from samen.core.middleware import CSP
from samen.core.models import Organisation
from samen.core.places import remote_budget
from samen.core.signup_views import confirm_by_button, visitor_limited
from samen.core.tenancy import public_view

from . import calendar, feeds, selectors, services
from .forms import ActivityForm, FeedForm, JoinForm
from .models import Activity, Category, Feed, Registration

PAGE_SIZE = 20
logger = logging.getLogger(__name__)


def _search_context(
    request: HttpRequest, *, when: str = "week", limit: int = 500, usage: str = "searches"
) -> dict:
    """Every result up to `limit` (the feeds, the print and the embed show them all)."""
    search = selectors.parse_search(
        request.GET, default_when=when, may_ask_remote=remote_budget(request)
    )
    if usage:
        services.count_usage(municipality_id=request.municipality.pk, kind=usage)
    _count, rows = selectors.search_page(search, page_size=limit, cap=limit)
    return {
        "search": search,
        "rows": rows,
        "categories": Category.choices,
        "params": request.GET.urlencode(),
    }


@public_view
def agenda(request: HttpRequest) -> HttpResponse:
    """The same search as the API: count every match, load only the page's rows."""
    search = selectors.parse_search(request.GET, may_ask_remote=remote_budget(request))
    services.count_usage(municipality_id=request.municipality.pk, kind="searches")
    page = Paginator(selectors.matches(search, cap=500), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.listings(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "search": search,
        "categories": Category.choices,
        "page": page,
        "query": query.urlencode(),
        "when": request.GET.get("when", "week"),
    }
    return render(request, "activities/agenda.html", context)


def _is_cancelled(activity: Activity) -> bool:
    """The feed says the whole activity is off (STATUS:CANCELLED outside an edited date)."""
    if "STATUS:CANCELLED" not in activity.ical.upper():
        return False
    try:
        events = calendar.calendar_of(activity.ical).walk("VEVENT")
    except ValueError:
        return False
    return any(
        str(event.get("STATUS", "")).upper() == "CANCELLED"
        for event in events
        if "RECURRENCE-ID" not in event
    )


def activity_json_ld(request: HttpRequest, activity: Activity, upcoming: list) -> str:
    """schema.org Event for search engines and event sites; a recurring activity is dated
    by its next occurrence."""
    starts_at, ends_at = activity.starts_at, activity.ends_at
    if upcoming:
        starts_at, ends_at = upcoming[0].starts_at, upcoming[0].ends_at
    slug = request.municipality.slug
    page = request.build_absolute_uri(reverse("activities:activity", args=[slug, activity.pk]))
    organisation = activity.organisation
    organisation_url = calendar.safe_url(organisation.website) or request.build_absolute_uri(
        reverse("activities:embed", args=[slug]) + f"?organisatie={organisation.slug}"
    )
    address = {
        "@type": "PostalAddress",
        "streetAddress": activity.address or None,
        "postalCode": activity.postcode or None,
        "addressLocality": request.municipality.name,
        "addressCountry": "NL",
    }
    location: dict = {
        "@type": "Place",
        "name": activity.venue or organisation.name,
        "address": {k: v for k, v in address.items() if v is not None},
    }
    if activity.latitude is not None and activity.longitude is not None:
        location["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": activity.latitude,
            "longitude": activity.longitude,
        }
    status = "EventCancelled" if _is_cancelled(activity) else "EventScheduled"
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": activity.title,
        "description": activity.description,
        "startDate": starts_at.astimezone(calendar.AMSTERDAM).isoformat() if starts_at else None,
        "endDate": ends_at.astimezone(calendar.AMSTERDAM).isoformat() if ends_at else None,
        "eventStatus": f"https://schema.org/{status}",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": location,
        "organizer": {"@type": "Organization", "name": organisation.name, "url": organisation_url},
        "isAccessibleForFree": activity.is_free,
        "url": page,
    }
    if calendar.safe_url(activity.image_url):
        data["image"] = [activity.image_url]
    price = "0" if activity.is_free else str(activity.cost) if activity.cost is not None else None
    if price is not None:
        data["offers"] = {"@type": "Offer", "price": price, "priceCurrency": "EUR", "url": page}
    # Escape "<" so the JSON can never close the script element.
    return json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False).replace(
        "<", "\\u003c"
    )


@public_view
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("organisation"), pk=pk)
    upcoming = list(activity.occurrences.filter(starts_at__gte=timezone.now())[:8])
    context = {
        "activity": activity,
        "schedule": calendar.describe(activity.rrule, activity.starts_at, activity.ends_at),
        "link": calendar.safe_url(activity.url),
        "upcoming": upcoming,
        "json_ld": activity_json_ld(request, activity, upcoming),
        "image": _shown_image(activity.image_url),
    }
    response = render(request, "activities/activity.html", context)
    if context["image"]:
        # The image stays on the organisation's server (Samen never fetches it): the page
        # allows images from that one origin, and the <img> sends no referrer.
        origin = "https://" + (urlsplit(context["image"]).netloc)
        response["Content-Security-Policy"] = CSP.replace(
            "img-src 'self' data:", f"img-src 'self' data: {origin}"
        )
    return response


def _shown_image(url: str) -> str:
    """The image the activity page shows: only https (http would be mixed content), and
    only an address that can stand in a Content-Security-Policy source as it is."""
    url = calendar.safe_url(url)
    parts = urlsplit(url)
    if parts.scheme != "https" or not re.fullmatch(r"[A-Za-z0-9.\-]+(:\d{1,5})?", parts.netloc):
        return ""
    return url


def _conditional(
    request: HttpRequest, response: HttpResponse, activities: list[Activity]
) -> HttpResponse:
    """ETag (of the bytes) and Last-Modified (the latest change of what is in it), and a 304
    when the client has it: calendar apps and feed readers poll these all day. A feed is
    the same bytes until something in it changes; an activity that leaves it changes the
    ETag only, which is what calendar apps send."""
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
    response["ETag"] = etag
    timestamp = None
    if activities:
        timestamp = int(max(activity.updated_at for activity in activities).timestamp())
        response["Last-Modified"] = http_date(timestamp)
    return get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)


def _ical_response(
    request: HttpRequest, cal: icalendar.Calendar, filename: str, activities: list[Activity]
) -> HttpResponse:
    response = HttpResponse(
        calendar.finish_export(cal), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return _conditional(request, response, activities)


def _vevents(activity: Activity, url: str) -> list:
    """The activity's own VEVENT(s), so RRULE, EXDATE and edited instances are kept."""
    text = services._schedule_text(activity)
    if not text:
        return []
    # Rebuilt from the allowlist here too: an activity stored before it existed may still
    # hold attendees, alarms or a javascript: link.
    events = [calendar.clean_event(event) for event in calendar.calendar_of(text).walk("VEVENT")]
    for event in events:
        event["UID"] = calendar.export_uid(activity.pk)
        # The last change in Samen, not the moment of the request: the same feed twice
        # is the same bytes (and the same ETag).
        event.pop("DTSTAMP", None)
        event.add("dtstamp", activity.updated_at.astimezone(dt.UTC))
        event["SUMMARY"] = activity.title
        if "URL" not in event:
            event.add("url", url)
        if activity.venue and "LOCATION" not in event:
            event.add("location", activity.venue)
    return events


@public_view
def activity_ics(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=pk)
    cal = calendar.export_calendar(activity.title)
    url = request.build_absolute_uri(
        reverse("activities:activity", args=[request.municipality.slug, pk])
    )
    for event in _vevents(activity, url):
        cal.add_component(event)
    return _ical_response(request, cal, f"activiteit-{pk}.ics", [activity])


@public_view
def agenda_ics(request: HttpRequest) -> HttpResponse:
    """Subscribe in a calendar app: the agenda with the same filters, one VEVENT per activity
    (recurring ones keep their RRULE)."""
    context = _search_context(request, when="month", limit=2000, usage="subscriptions")
    cal = calendar.export_calendar(_("Agenda %(place)s") % {"place": request.municipality.name})
    seen: dict[int, Activity] = {}
    for row in context["rows"]:
        activity = row.occurrence.activity
        if activity.pk in seen:
            continue
        seen[activity.pk] = activity
        url = request.build_absolute_uri(
            reverse("activities:activity", args=[request.municipality.slug, activity.pk])
        )
        for event in _vevents(activity, url):
            cal.add_component(event)
    return _ical_response(
        request, cal, f"agenda-{request.municipality.slug}.ics", list(seen.values())
    )


EVENT_NS = "http://purl.org/rss/1.0/modules/event/"


class _EventElements(feedgenerator.SyndicationFeed):
    """The RSS event module (ev:startdate, ev:enddate, ev:location) on every item, and a
    fixed date for an empty feed (so that the same feed is the same bytes)."""

    def root_attributes(self) -> dict:
        return {**super().root_attributes(), "xmlns:ev": EVENT_NS}

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)  # type: ignore[misc]
        handler.addQuickElement("ev:startdate", item["startdate"])
        if item.get("enddate"):
            handler.addQuickElement("ev:enddate", item["enddate"])
        if item.get("location"):
            handler.addQuickElement("ev:location", item["location"])

    def latest_post_date(self) -> dt.datetime:
        return super().latest_post_date() if self.items else self.feed["empty_date"]


class EventRssFeed(_EventElements, feedgenerator.Rss201rev2Feed):
    def root_attributes(self) -> dict:  # <channel>: the namespace goes on <rss>
        return feedgenerator.Rss201rev2Feed.root_attributes(self)

    def rss_attributes(self) -> dict:
        return {**super().rss_attributes(), "xmlns:ev": EVENT_NS}


class EventAtomFeed(_EventElements, feedgenerator.Atom1Feed):
    pass


EMPTY_FEED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _agenda_feed(
    request: HttpRequest, feed_class: type[feedgenerator.SyndicationFeed]
) -> HttpResponse:
    """The agenda with its filters as RSS or Atom: one item per occurrence, dated when the
    activity was published in Samen; the event's own date is in the text and in ev:."""
    context = _search_context(request, when="month", limit=200, usage="subscriptions")
    link = request.build_absolute_uri(
        reverse("activities:agenda", args=[request.municipality.slug])
    )
    feed = feed_class(
        title=_("Agenda %(place)s") % {"place": request.municipality.name},
        link=link,
        description=_("Activiteiten in %(place)s, via Samen")
        % {"place": request.municipality.name},
        language="nl",
        feed_url=request.build_absolute_uri(),
        empty_date=EMPTY_FEED_DATE,
    )
    for row in context["rows"]:
        activity = row.occurrence.activity
        url = request.build_absolute_uri(
            reverse("activities:activity", args=[request.municipality.slug, activity.pk])
        )
        starts, ends = row.occurrence.starts_at, row.occurrence.ends_at
        when = starts.astimezone(calendar.AMSTERDAM)
        place = ", ".join(part for part in (activity.venue, activity.address) if part)
        text = calendar.describe("", starts, ends)
        feed.add_item(
            title=f"{when:%d-%m %H:%M} {activity.title}",
            link=url,
            description="\n\n".join(part for part in (text, place, activity.description) if part),
            unique_id=f"{url}#{when:%Y%m%d%H%M}",
            unique_id_is_permalink=False,
            pubdate=activity.created_at,
            updateddate=max(activity.updated_at, activity.created_at),
            startdate=starts.astimezone(calendar.AMSTERDAM).isoformat(),
            enddate=ends.astimezone(calendar.AMSTERDAM).isoformat() if ends else "",
            location=place,
        )
    response = HttpResponse(feed.writeString("utf-8"), content_type=feed_class.content_type)
    return _conditional(request, response, [row.occurrence.activity for row in context["rows"]])


@public_view
def agenda_rss(request: HttpRequest) -> HttpResponse:
    return _agenda_feed(request, EventRssFeed)


@public_view
def agenda_atom(request: HttpRequest) -> HttpResponse:
    return _agenda_feed(request, EventAtomFeed)


@public_view
def agenda_print(request: HttpRequest) -> HttpResponse:
    """A large-print weekly agenda for the notice board (print stylesheet, A4)."""
    context = _search_context(request, when="week", limit=300, usage="prints")
    days: dict[dt.date, list] = {}
    for row in context["rows"]:
        days.setdefault(row.occurrence.starts_at.astimezone(calendar.AMSTERDAM).date(), []).append(
            row
        )
    context.update(days=sorted(days.items()), last_day=context["search"].end - dt.timedelta(days=1))
    return render(request, "activities/print.html", context)


@xframe_options_exempt
@public_view
def agenda_embed(request: HttpRequest) -> HttpResponse:
    """For partners' websites: an iframe with their own or the area's agenda."""
    organisation = None
    if request.GET.get("organisatie"):
        organisation = get_object_or_404(Organisation, slug=request.GET["organisatie"])
    context = _search_context(request, when="month", limit=30, usage="")
    if organisation is not None:
        search = context["search"]
        search.organisation_id = organisation.pk
        _count, context["rows"] = selectors.search_page(search, page_size=30, cap=30)
    context["organisation"] = organisation
    response = render(request, "activities/embed.html", context)
    response["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self'; script-src 'none'; frame-ancestors *; base-uri 'none'"
    )
    return response


@public_view
def join(request: HttpRequest) -> HttpResponse:
    """Join in two minutes: name, e-mail, website and what you already publish. With an
    address, first a preview of what Samen found there."""
    form = JoinForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website_check"]:
            return render(request, "activities/join_done.html")
        feed_url = form.cleaned_data["feed_url"]
        if feed_url and request.POST.get("step") != "confirm":
            # The one fetch an anonymous visitor can cause: bounded, and limited per client.
            if is_ratelimited(
                request,
                group="activities-feed-preview",
                key="ip",
                rate=settings.SAMEN_FEED_PREVIEW_RATE,
                increment=True,
            ):
                form.add_error(
                    "feed_url",
                    _(
                        "U hebt in korte tijd veel adressen laten bekijken. Probeer het over een uur opnieuw."
                    ),
                )
                return render(
                    request, "activities/join.html", {"form": form, "preview": None}, status=429
                )
            try:
                kind, items = services.preview(feed_url)
                preview = {
                    "kind": dict(Feed.Kind.choices)[kind],
                    "items": items[:10],
                    "count": len(items),
                }
            except feeds.FeedError as error:
                logger.info("Join preview of %s failed: %s", feed_url, error)
                form.add_error("feed_url", _("Dit adres konden we niet lezen."))
        elif visitor_limited(request, "join"):
            form.add_error(
                None, _("Te veel aanmeldingen vanaf dit adres. Probeer het later opnieuw.")
            )
            return render(request, "activities/join.html", {"form": form}, status=429)
        else:
            # the same page whether or not a mail went out (one per address per hour)
            services.join(
                municipality=request.municipality,
                **{k: form.cleaned_data[k] for k in ("name", "email", "website", "feed_url")},
            )
            return render(
                request, "activities/join_done.html", {"email": form.cleaned_data["email"]}
            )
    return render(request, "activities/join.html", {"form": form, "preview": preview})


@public_view
@confirm_by_button(services.JOIN)
def join_confirm(request: HttpRequest, token: str) -> HttpResponse:
    result = services.confirm_join(municipality=request.municipality, token=token)
    registration = result if isinstance(result, Registration) else None
    return render(
        request,
        "activities/join_confirmed.html",
        {
            "registration": registration,
            "held": result is not None and registration is None,
            "import_later": services.tasks_run_in_this_request(),
        },
        status=200 if result else 400,
    )


# --- Staff ------------------------------------------------------------------------------------


def _own_organisation(request: HttpRequest) -> Organisation:
    organisation = request.user.organisation_in(request.municipality)
    if organisation is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return organisation


@staff_view("activities.publish")
def mine(request: HttpRequest) -> HttpResponse:
    organisation = _own_organisation(request)
    feed_form = FeedForm(request.POST or None)
    if request.method == "POST" and feed_form.is_valid():
        feed = services.add_feed(organisation=organisation, url=feed_form.cleaned_data["url"])
        result = services.import_feed(feed=feed)
        if result.error:
            messages.error(
                request,
                _("De feed is opgeslagen, maar kon niet worden gelezen: %(e)s")
                % {"e": result.error},
            )
        else:
            messages.success(
                request,
                _("%(n)d activiteiten geïmporteerd.") % {"n": result.created + result.updated},
            )
        return redirect("activities:mine", slug=request.municipality.slug)
    embed = request.build_absolute_uri(
        reverse("activities:embed", args=[request.municipality.slug])
    )
    context = {
        "organisation": organisation,
        "activities": selectors.activities_of(organisation.pk),
        "feeds": selectors.feed_status(organisation.pk),
        "feed_form": feed_form,
        "embed_snippet": f'<iframe src="{embed}?organisatie={organisation.slug}" title="Agenda {organisation.name}" '
        f'width="100%" height="600" loading="lazy"></iframe>',
    }
    return render(request, "activities/mine.html", context)


@staff_view("activities.publish")
def refresh_feed(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _own_organisation(request)
    feed = get_object_or_404(Feed, pk=pk, organisation=organisation)
    if request.method == "POST":
        result = services.import_feed(feed=feed)
        if result.error:
            messages.error(
                request, _("De feed kon niet worden gelezen: %(e)s") % {"e": result.error}
            )
        else:
            messages.success(
                request,
                _("Bijgewerkt: %(c)d nieuw, %(u)d gewijzigd, %(d)d verwijderd.")
                % {"c": result.created, "u": result.updated, "d": result.deleted},
            )
    return redirect("activities:mine", slug=request.municipality.slug)


@staff_view("activities.publish")
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    organisation = _own_organisation(request)
    activity = (
        get_object_or_404(Activity, pk=pk, organisation=organisation)
        if pk
        else Activity(municipality=request.municipality, organisation=organisation, source_uid="")
    )
    if activity.feed_id:
        messages.info(request, _("Deze activiteit komt uit uw feed; wijzig haar daar."))
        return redirect("activities:mine", slug=request.municipality.slug)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST":
        if request.POST.get("delete") and activity.pk:
            services.delete_activity(activity=activity, actor=request.user)
            messages.success(request, _("Activiteit verwijderd."))
            return redirect("activities:mine", slug=request.municipality.slug)
        if form.is_valid():
            saved = services.save_activity(
                activity=activity, actor=request.user, data=form.activity_data()
            )
            messages.success(request, _("Activiteit opgeslagen."))
            return redirect("activities:activity", slug=request.municipality.slug, pk=saved.pk)
    return render(request, "activities/edit.html", {"form": form, "activity": activity})


@staff_view("organisations.manage")
def registrations(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        registration = get_object_or_404(Registration, pk=request.POST.get("registration"))
        services.approve(registration=registration, actor=request.user)
        messages.success(
            request, _("%(name)s is goedgekeurd.") % {"name": registration.organisation.name}
        )
        return redirect("activities:registrations", slug=request.municipality.slug)
    context = {
        "registrations": Registration.objects.select_related("organisation").order_by(
            "-created_at"
        ),
        "feeds": Feed.objects.select_related("organisation").order_by("organisation__name"),
    }
    return render(request, "activities/registrations.html", context)
