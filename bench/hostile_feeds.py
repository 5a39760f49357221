"""The cost of hostile feeds (issue #14, bounded cost): each file is read in a fresh
process (detect, parse and the dates over the horizon, as an import does before it
writes, within the per-feed limit of dates), and the wall time and peak memory (max RSS) of that process are reported, with the
outcome (how many items, or the refusal shown to the organisation).

    .venv/bin/python bench/hostile_feeds.py [--markdown] [--unguarded]

`--unguarded` turns the checks before parsing (`feeds.guard`) off, to show what they save.
No database is needed: the dates are worked out on unsaved activities.
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")
os.environ.setdefault("SECRET_KEY", "bench")

CAL = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//NL\r\n{}END:VCALENDAR\r\n"


def event(n: int, extra: str = "") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:e{n}@bench\r\nDTSTART:20270101T{n % 24:02d}0000Z\r\n"
        f"SUMMARY:Activiteit {n}\r\n{extra}END:VEVENT\r\n"
    )


def rss(items: str, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0"?>\n{prolog}<rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>\n"
    )


def laughs() -> bytes:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    prolog = "<!DOCTYPE rss [\n" + "\n".join(lines) + "\n]>\n"
    return rss("<item><title>&lol9;</title></item>", prolog).encode()


def quadratic() -> bytes:
    prolog = f'<!DOCTYPE rss [<!ENTITY a "{"x" * 50_000}">]>\n'
    return rss("<item><title>" + "&a;" * 50_000 + "</title></item>", prolog).encode()


CASES = {
    "billion laughs (RSS, 10^9 entity expansion)": laughs,
    "quadratic blowup (RSS, 50 KB entity x 50,000)": quadratic,
    "XML nested 100,000 deep (RSS)": lambda: rss("<a>" * 100_000 + "</a>" * 100_000).encode(),
    "iCalendar nested 50,000 deep": lambda: CAL.format(
        event(1, "BEGIN:X-A\r\n" * 50_000 + "END:X-A\r\n" * 50_000)
    ).encode(),
    "100,000 events (iCalendar, 7 MB)": lambda: CAL.format(
        "".join(event(n) for n in range(100_000))
    ).encode(),
    "100,000 items (RSS)": lambda: rss(
        "".join(f"<item><title>{n}</title><guid>{n}</guid></item>" for n in range(100_000))
    ).encode(),
    "5,000 daily series (the most a feed may hold)": lambda: CAL.format(
        "".join(event(n, "RRULE:FREQ=DAILY\r\n") for n in range(5_000))
    ).encode(),
    "5,000 daily series with 50 EXDATEs each": lambda: CAL.format(
        "".join(
            event(
                n,
                "RRULE:FREQ=DAILY\r\n"
                + "".join(f"EXDATE:202701{d:02d}T{n % 24:02d}0000Z\r\n" for d in range(1, 29))
                + "".join(f"EXDATE:202702{d:02d}T{n % 24:02d}0000Z\r\n" for d in range(1, 23)),
            )
            for n in range(5_000)
        )
    ).encode(),
    "one 5 MB description (iCalendar)": lambda: CAL.format(
        event(1, "DESCRIPTION:" + "x" * 5_000_000 + "\r\n")
    ).encode(),
    "JSON-LD 5,000 events nested in one organisation (4 MB)": lambda: (
        '<script type="application/ld+json">{"@type":"Organization","name":"o","event":['
        + ",".join(
            f'{{"@type":"Event","name":"E{n}","startDate":"2027-01-01T10:00","description":"'
            + "x" * 700
            + '","location":{"@type":"Place","name":"p","address":{"streetAddress":"s"}}}'
            for n in range(5_000)
        )
        + "]}</script>"
    ).encode(),
    "JSON-LD 5,000 daily eventSchedules": lambda: (
        '<script type="application/ld+json">['
        + ",".join(
            f'{{"@type":"Event","name":"E{n}","eventSchedule":{{"repeatFrequency":"P1D",'
            f'"startDate":"2027-01-01","startTime":"{n % 24:02d}:00"}}}}'
            for n in range(5_000)
        )
        + "]</script>"
    ).encode(),
    "JSON-LD 200,000 values beside one event": lambda: (
        '<script type="application/ld+json">{"@type":"Event","name":"e","startDate":'
        '"2027-01-01","x":[' + "{},[]," * 100_000 + "1]}</script>"
    ).encode(),
    "JSON-LD nested 100,000 deep": lambda: (
        '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    ).encode(),
}


def run_one(name: str, unguarded: bool) -> None:
    import django

    django.setup()
    from django.conf import settings

    from samen.activities import feeds, services
    from samen.activities.models import Activity

    if unguarded:
        feeds.guard = lambda body, kind: None
    body = CASES[name]()
    started = time.monotonic()
    try:
        kind = feeds.detect(body)
        items = feeds.parse(body, kind)
        now = dt.datetime.now(dt.UTC)
        end = now + dt.timedelta(days=90)
        budget = feeds.Budget()
        occurrences = 0
        for item in items:
            budget.check()
            if item.refused or occurrences >= settings.SAMEN_MAX_OCCURRENCES_PER_FEED:
                continue  # as services._limited_dates: a full feed expands no further
            activity = Activity(
                kind=item.kind, starts_at=item.starts_at, ends_at=item.ends_at, rrule=item.rrule
            )
            activity.ical = item.ical if item.rrule else ""
            occurrences += len(services._all_dates(activity, now, end))
        outcome = f"read: {len(items)} items, {occurrences} dates"
    except feeds.FeedError as error:
        outcome = f"refused: {error}"
    except Exception as error:
        outcome = f"CRASH {type(error).__name__}"
    print(f"{len(body) / 1e6:.1f}\t{time.monotonic() - started:.2f}\t{outcome}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--unguarded", action="store_true")
    parser.add_argument("--one")
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.unguarded)
        return
    if args.markdown:
        print("| file | size MB | seconds | peak MB | outcome |\n|---|---|---|---|---|")
    for name in CASES:
        command = [sys.executable, __file__, "--one", name] + ["--unguarded"] * args.unguarded
        started = time.monotonic()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        timer = threading.Timer(args.timeout, child.kill)
        timer.start()
        out = child.stdout.read() if child.stdout else ""
        _pid, _status, usage = os.wait4(child.pid, 0)
        timer.cancel()
        if not out:
            out = f"?\t>{args.timeout}\tstopped after {args.timeout} s"
        rss_mb = usage.ru_maxrss / 1024
        size, seconds, outcome = [*out.strip().split("\t"), "", "", ""][:3]
        wall = time.monotonic() - started
        line = [name, size, f"{seconds} (process {wall:.1f})", f"{rss_mb:.0f}", outcome]
        print("| " + " | ".join(line) + " |" if args.markdown else "\t".join(line), flush=True)


if __name__ == "__main__":
    main()
