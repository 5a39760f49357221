"""Reading what organisations already publish: fetch (conditional GET, timeout, size limit),
detect the kind (iCalendar, RSS/Atom, schema.org JSON-LD events), parse into plain items."""

import datetime as dt
import hashlib
import json
import re
import time
import xml.parsers.expat
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import icalendar
from django.conf import settings

from samen.core import fetch as guarded
from samen.core.fetch import PUBLIC_MESSAGE

from . import calendar
from .calendar import as_aware

DTSTAMP = re.compile(r"^DTSTAMP[;:].*\r?\n", re.MULTILINE)
TOO_FREQUENT = "herhaalt vaker dan eens per dag"
EARLIEST_SERIES = 1970
TOO_OLD = f"is een herhaling die vóór {EARLIEST_SERIES} begint"
UNREADABLE = "kon niet worden gelezen"
ENDS_BEFORE_START = "eindigt vóór het begint"
# One length for the description of every kind of feed.
DESCRIPTION_MAX = 4000
# Deeper than this no calendar or feed nests (VCALENDAR > VEVENT > VALARM; rss > channel >
# item > ...): deeper is an attack on the parser.
MAX_DEPTH = {"ical": 8, "rss": 40}
ICAL_NESTING = re.compile(rb"^(BEGIN|END):", re.MULTILINE | re.IGNORECASE)
ITEM_MARKERS = {"rss": (b"<item", b"<entry")}
BOM = b"\xef\xbb\xbf"
ICAL_END = re.compile(rb"^END:VCALENDAR[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)
# What calendar servers write that the parser refuses, though the meaning is clear: an
# empty RRULE/EXDATE/RDATE (Calendar Labs, Google) and `\;` inside a rule (Exchange).
EMPTY_RULE = re.compile(rb"^(?:RRULE|EXRULE|EXDATE|RDATE)(?:;[^:\r\n]*)?:[ \t]*\r?\n", re.M | re.I)
ESCAPED_RULE = re.compile(rb"^(?:RRULE|EXRULE):[^\r\n]*\\;[^\r\n]*$", re.M | re.I)
# Microsoft CDO (Exchange) writes a space after each comma of a list: BYDAY=MO, TU, WE.
SPACED_RULE = re.compile(rb"^(?:RRULE|EXRULE):[^\r\n]*, [^\r\n]*", re.M | re.I)


def repair_ical(body: bytes) -> bytes:
    body = EMPTY_RULE.sub(b"", body.removeprefix(BOM))
    body = SPACED_RULE.sub(lambda match: match.group(0).replace(b", ", b","), body)
    return ESCAPED_RULE.sub(lambda match: match.group(0).replace(b"\\;", b";"), body)


class FeedError(Exception):
    """Why a feed could not be read: `str(error)` in words for the organisation (Dutch),
    `public` the one sentence an anonymous visitor gets (which tells nothing about what
    answered at that address)."""

    public = PUBLIC_MESSAGE


@dataclass
class Fetched:
    body: bytes | None  # None: not modified since last time
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


@dataclass
class Item:
    """One activity or post as found in a feed, before it is stored."""

    uid: str
    title: str
    kind: str = "activity"
    description: str = ""
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    rrule: str = ""
    ical: str = ""  # the VEVENT(s), for recurring events
    location: str = ""
    url: str = ""
    is_free: bool = True
    extra: dict = field(default_factory=dict)
    refused: str = ""  # why this item is not imported (the stored version, if any, stays)
    all_day: bool = False  # a date without a time (iCalendar VALUE=DATE, schema.org date)
    image_url: str = ""  # an http(s) image the source names; linked, never fetched

    def fingerprint(self) -> str:
        """What decides whether a stored item must be rewritten. Not DTSTAMP: calendar
        servers stamp every download with the current time."""
        raw = json.dumps(
            [
                self.title,
                self.kind,
                self.description,
                str(self.starts_at),
                str(self.ends_at),
                self.rrule,
                DTSTAMP.sub("", self.ical),
                self.location,
                self.url,
                self.is_free,
                self.all_day,
                self.image_url,
            ],
            sort_keys=True,
        )
        return hashlib.sha256(raw.encode()).hexdigest()


def normalise_url(url: str) -> str:
    url = url.strip()
    if url.startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    return url


def fetch(
    url: str, *, etag: str = "", last_modified: str = "", local_files: bool = False
) -> Fetched:
    """GET with If-None-Match / If-Modified-Since through the guarded fetcher. A local path
    is read from disk only with `local_files` (the command line: `samen import-feed`),
    never for an address typed in a form or sent to the API."""
    url = normalise_url(url)
    if not url.lower().startswith(("http://", "https://")):
        if not local_files:
            raise FeedError(
                "Alleen webadressen (https://, http:// of webcal://) worden gelezen; een "
                "bestand op de server alleen via de opdrachtregel (samen import-feed)."
            )
        path = Path(url.removeprefix("file://"))
        if not path.is_file():
            raise FeedError(f"Bestand niet gevonden: {path}")
        data = path.read_bytes()
        if len(data) > settings.SAMEN_FEED_MAX_BYTES:
            raise FeedError("De feed is te groot.")
        return Fetched(body=data)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        response = guarded.get(url, headers=headers)
    except guarded.FetchError as error:
        raise FeedError(error.detail) from error
    if response.status == 304:
        return Fetched(body=None, etag=etag, last_modified=last_modified)
    if response.status != 200:
        raise FeedError(f"De website antwoordde met foutcode {response.status}.")
    return Fetched(
        body=response.body,
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag", "")[:200],
        last_modified=response.headers.get("last-modified", "")[:100],
    )


def detect(body: bytes, content_type: str = "") -> str:
    """ical, rss or jsonld — or FeedError when it is none of these. A comment before the
    XML (as in feedparser's own test files) does not hide a feed."""
    head = body[:4000].removeprefix(BOM).lstrip()
    for _comment in range(5):
        end = head.find(b"-->") if head.startswith(b"<!--") else -1
        if end < 0:
            break
        head = head[end + 3 :].lstrip()
    head = head.lower()
    if head.startswith(b"begin:vcalendar") or "text/calendar" in content_type:
        return "ical"
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")) or "xml" in content_type:
        return "rss"
    if b"application/ld+json" in body.lower():
        return "jsonld"
    raise FeedError(
        "Op dit adres staat geen agenda (iCalendar), RSS-feed of pagina met evenementen."
    )


class Budget:
    """The time one import may take (SAMEN_FEED_IMPORT_SECONDS); `check()` in every loop
    whose cost a feed decides."""

    def __init__(self) -> None:
        self.seconds = settings.SAMEN_FEED_IMPORT_SECONDS
        self.until = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise FeedError(
                f"Het inlezen van deze feed duurt te lang (meer dan {self.seconds} seconden); "
                "er is niets gewijzigd."
            )


def guard(body: bytes, kind: str) -> None:
    """Refuse, before any parser sees it, what would make the cost of parsing grow faster
    than the size of the file: entity definitions, deep nesting, too many items."""
    limit = settings.SAMEN_FEED_MAX_ITEMS
    if kind == "ical":
        found = body.upper().count(b"BEGIN:VEVENT")
    else:
        found = sum(body.count(marker) for marker in ITEM_MARKERS.get(kind, ()))
    if found > limit:
        raise FeedError(
            f"De feed bevat {found} items; Samen leest hoogstens {limit} items per feed."
        )
    if kind == "ical":
        depth = deepest = 0
        for match in ICAL_NESTING.finditer(body):
            depth += 1 if match.group(1).upper() == b"BEGIN" else -1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH["ical"]:
                raise FeedError("De agenda is te diep genest om te lezen.")
    elif kind == "rss":
        _guard_xml(body)


def _guard_xml(body: bytes) -> None:
    """One pass of expat (C, linear) that stops at an entity definition or nesting deeper
    than MAX_DEPTH["rss"]; a syntax error is left to feedparser (a cut-off feed)."""
    parser = xml.parsers.expat.ParserCreate()
    depth = [0]

    def start(name, attrs):
        depth[0] += 1
        if depth[0] > MAX_DEPTH["rss"]:
            raise FeedError("De feed is te diep genest om te lezen.")

    def end(name):
        depth[0] -= 1

    def entity(*args):
        raise FeedError(
            "De feed definieert eigen XML-entiteiten (<!ENTITY>); zo'n feed wordt om "
            "veiligheidsredenen niet gelezen."
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError:
        pass


def parse(body: bytes, kind: str, budget: Budget | None = None) -> list[Item]:
    guard(body, kind)
    budget = budget or Budget()
    try:
        items = {"ical": parse_ical, "rss": parse_rss, "jsonld": parse_jsonld}[kind](body, budget)
    except FeedError:
        raise
    except Exception as error:  # a broken feed must never break the import
        raise FeedError("De inhoud kon niet worden gelezen.") from error
    if len(items) > settings.SAMEN_FEED_MAX_ITEMS:
        raise FeedError(
            f"De feed bevat {len(items)} items; Samen leest hoogstens "
            f"{settings.SAMEN_FEED_MAX_ITEMS} items per feed."
        )
    for item in items:
        item.description = item.description[:DESCRIPTION_MAX]
        if item.starts_at and item.ends_at and item.ends_at < item.starts_at:
            item.refused = item.refused or ENDS_BEFORE_START
    return items


def incomplete(body: bytes, kind: str) -> str:
    """Why this download looks cut off or partly unreadable ("" when it is whole). What it
    holds is imported then, but nothing is removed: what is missing may only be cut off."""
    tail = body.rstrip()[-200:].lower()
    if kind == "ical":
        # Podio writes a comment line after END:VCALENDAR: the calendar is whole all the same.
        whole = ICAL_END.search(body) is not None and body.count(b"BEGIN:VEVENT") == body.count(
            b"END:VEVENT"
        )
        return "" if whole else "De agenda houdt halverwege op (onvolledig gedownload)."
    if kind == "rss":
        whole = tail.endswith((b"</rss>", b"</feed>", b"</rdf:rdf>"))
        return "" if whole else "De feed houdt halverwege op (onvolledig gedownload)."
    from .jsonld import incomplete as page_incomplete  # jsonld builds on this module

    return page_incomplete(body)


def parse_ical(body: bytes, budget: Budget | None = None) -> list[Item]:
    """Each VEVENT is rebuilt from the allowlist (`calendar.clean_event`) before it is kept:
    the schedule and the words, no attendees, alarms, attachments or non-http links. An
    event that repeats more often than daily comes back as a refused item."""
    try:
        parsed = icalendar.Calendar.from_ical(repair_ical(body))
    except ValueError as error:
        raise FeedError("Dit is geen geldige iCalendar-agenda.") from error
    by_uid: dict[str, list] = {}
    timezones = [c.to_ical().decode() for c in parsed.walk("VTIMEZONE")]
    budget = budget or Budget()
    budget.check()
    for event in parsed.walk("VEVENT"):
        budget.check()
        uid = str(event.get("UID") or "")
        if not uid:
            # From the content without DTSTAMP: a new download does not recreate it.
            content = DTSTAMP.sub("", event.to_ical().decode(errors="replace"))
            uid = hashlib.sha256(content.encode()).hexdigest()[:40]
        try:
            clean = calendar.clean_event(event)
        except Exception:  # one broken event skips that event, not the calendar
            clean = None
        by_uid.setdefault(uid, []).append((event, clean))
    x_wr = parsed.get("X-WR-TIMEZONE")
    items = []
    for uid, pairs in by_uid.items():
        budget.check()
        try:
            items.append(_ical_item(uid[:300], pairs, timezones, x_wr))
        except Exception:
            title = str(pairs[0][0].get("SUMMARY") or "Activiteit")[:200]
            items.append(Item(uid=uid[:300], title=title, refused=UNREADABLE))
    return items


def _ical_item(uid: str, pairs: list, timezones: list[str], x_wr) -> Item:
    master = next((e for e, _clean in pairs if not e.get("RECURRENCE-ID")), pairs[0][0])
    title = str(master.get("SUMMARY") or "Activiteit")[:200]
    if any(clean is None for _event, clean in pairs):
        return Item(uid=uid, title=title, refused=UNREADABLE)
    if any(calendar.too_frequent(event) for event, _clean in pairs):
        return Item(uid=uid, title=title, refused=TOO_FREQUENT)
    starts = as_aware(master.decoded("DTSTART")) if master.get("DTSTART") else None
    if starts is not None and starts.year < EARLIEST_SERIES and master.get("RRULE"):
        # Expanding a series from the year 1 costs seconds per event: a hostile feed
        # of small events would keep a worker busy for hours.
        return Item(uid=uid, title=title, refused=TOO_OLD)
    first = master.decoded("DTSTART") if master.get("DTSTART") else None
    # A floating time under X-WR-TIMEZONE is on that clock; an all-day date stays a date.
    if isinstance(first, dt.datetime) and x_wr and first.tzinfo is None:
        from zoneinfo import ZoneInfo

        starts = first.replace(tzinfo=ZoneInfo(str(x_wr)))
    ends = as_aware(master.decoded("DTEND")) if master.get("DTEND") else None
    if ends is None and starts is not None and master.get("DURATION"):
        ends = starts + master.decoded("DURATION")
    rules = master.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    rrule = rules[0].to_ical().decode() if rules else ""  # all of them stay in `ical`
    header = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Samen//NL\r\n"
    if x_wr:
        header += f"X-WR-TIMEZONE:{x_wr}\r\n"
    ical = (
        header
        + "".join(timezones)
        + "".join(clean.to_ical().decode() for _event, clean in pairs)
        + "END:VCALENDAR\r\n"
    )
    return Item(
        uid=uid,
        title=title,
        description=plain_text(str(master.get("DESCRIPTION") or "")),
        starts_at=starts,
        ends_at=ends,
        rrule=rrule,
        ical=ical,
        location=str(master.get("LOCATION") or "")[:200],
        url=calendar.safe_url(master.get("URL"))[:500],
    )


def parse_rss(body: bytes, budget: Budget | None = None) -> list[Item]:
    parsed = feedparser.parse(body)
    if (parsed.bozo and not parsed.entries) or not parsed.get("version"):
        # Also an XML error document or an XHTML maintenance page: no feed, so nothing is
        # removed because of it.
        raise FeedError("Dit is geen geldige RSS- of Atom-feed.")
    items = []
    for entry in parsed.entries:
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        when = dt.datetime(*published[:6], tzinfo=dt.UTC) if published else None
        uid = (
            entry.get("id")
            or entry.get("link")
            or hashlib.sha256(entry.get("title", "").encode()).hexdigest()
        )
        items.append(
            Item(
                uid=str(uid)[:300],
                title=plain_text(entry.get("title", ""), paragraphs=False, limit=200)
                or untitled(entry.get("summary", "")),
                kind="post",
                description=_strip_html(entry.get("summary", "")),
                starts_at=when,
                url=calendar.safe_url(entry.get("link", ""))[:500],
                image_url=rss_image(entry),
            )
        )
    return items


def untitled(description: str, limit: int = 80) -> str:
    """The title of a post without one (Mastodon's RSS has none): its first words."""
    first = plain_text(description).split("\n\n")[0].replace("\n", " ")
    if len(first) > limit:
        first = first[:limit].rsplit(" ", 1)[0] + "…"
    return first or "Bericht"


def rss_image(entry) -> str:
    """The first image an item carries: an <enclosure> or <media:content> of an image type
    (Mastodon, WordPress plugins), as an http(s) address; "" when there is none."""
    candidates = [(e.get("href"), e.get("type", "")) for e in entry.get("enclosures", [])]
    candidates += [
        (m.get("url"), m.get("type", "") or ("image/" if m.get("medium") == "image" else ""))
        for m in entry.get("media_content", [])
    ]
    for url, kind in candidates[:20]:
        url = calendar.safe_url(url)
        if url and len(url) <= 500 and str(kind).lower().startswith("image/"):
            return url
    return ""


def parse_jsonld(body: bytes, budget: Budget | None = None) -> list[Item]:
    """schema.org events on a web page: see `jsonld.py`."""
    from .jsonld import parse_page  # jsonld builds on Item and plain_text from here

    return parse_page(body, budget)


_BLOCKS = {"p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
           "blockquote", "section", "article", "pre"}  # fmt: skip
_HIDDEN = {"script", "style", "template", "head"}


class _PlainText(HTMLParser):
    """HTML to text: entities decoded, tags removed, the contents of script and style
    dropped; a block element or <br> starts a new line, so paragraphs stay paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS or tag == "br":
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def plain_text(text: str, *, paragraphs: bool = True, limit: int = DESCRIPTION_MAX) -> str:
    """The one sanitiser for every text that comes from a feed (iCalendar, RSS/Atom,
    JSON-LD): plain text, at most `limit` characters. With `paragraphs` the line breaks
    between blocks are kept (one empty line between paragraphs); a title is one line."""
    parser = _PlainText()
    parser.feed(text or "")
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    if not paragraphs:
        return " ".join(line for line in lines if line)[:limit]
    blocks, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return "\n\n".join(blocks)[:limit]


def _strip_html(text: str) -> str:
    return plain_text(text)
