"""Feed addresses from outside never reach an internal address, in any spelling; the whole
download has one deadline and a size limit; anything that is not HTTP is a Dutch error; an
anonymous visitor learns nothing about ports; local files only from the command line."""

import socket
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from samen.activities import feeds, services
from samen.activities.models import Activity, Feed
from samen.core import fetch
from samen.core.models import Organisation
from samen.core.tests.servers import FakeServer, RawServer, banner, drip

FIXTURE = Path(__file__).parents[1] / "fixtures" / "bibliotheek-samenstad.ics"


@pytest.fixture
def server(settings):
    """A local feed server that is NOT in SAMEN_FEED_ALLOWED_HOSTS."""
    settings.SAMEN_FEED_ALLOWED_HOSTS = []
    server = FakeServer()
    server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    yield server
    server.close()


SPELLINGS = [
    "http://127.0.0.1:{port}/agenda.ics",
    "http://localhost:{port}/agenda.ics",
    "http://2130706433:{port}/agenda.ics",
    "http://0x7f000001:{port}/agenda.ics",
    "http://0177.0.0.1:{port}/agenda.ics",
    "http://127.1:{port}/agenda.ics",
    "http://0.0.0.0:{port}/agenda.ics",
    "http://[::1]:{port}/agenda.ics",
    "http://[::ffff:127.0.0.1]:{port}/agenda.ics",
    "webcal://127.0.0.1:{port}/agenda.ics",
    "HTTP://LOCALHOST.:{port}/agenda.ics",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_no_spelling_of_loopback_is_fetched(server, spelling):
    with pytest.raises(feeds.FeedError) as error:
        feeds.fetch(spelling.format(port=server.port))
    assert server.requests == []  # refused before connecting
    assert error.value.public == "Dit adres konden we niet lezen."


@pytest.fixture
def no_connections(monkeypatch):
    """Fail instead of connecting anywhere (these tests fake the DNS answer)."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"connected to {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",  # CGNAT
        "169.254.169.254",  # cloud metadata
        "224.0.0.1",  # multicast
        "0.0.0.0",
        "240.0.0.1",  # reserved
        "::1",
        "fe80::1",
        "fd00::1",  # ULA
        "::ffff:10.0.0.1",  # IPv4-mapped
        "::7f00:1",  # IPv4-compatible
        "64:ff9b::a00:1",  # NAT64
        "ff02::1",
    ],
)
def test_a_name_that_resolves_to_an_internal_address_is_refused(
    monkeypatch, settings, no_connections, address
):
    settings.SAMEN_FEED_ALLOWED_HOSTS = []
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(family, socket.SOCK_STREAM, 6, "", (address, 80))],
    )
    with pytest.raises(feeds.FeedError) as error:
        feeds.fetch("https://agenda.example.nl/feed.ics")
    assert "niet-openbaar netwerkadres" in str(error.value)


def test_every_address_of_a_name_is_checked(monkeypatch, settings, no_connections):
    """A name with a public and an internal address (DNS rebinding) is refused whole."""
    settings.SAMEN_FEED_ALLOWED_HOSTS = []
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(feeds.FeedError):
        feeds.fetch("https://rebind.example.nl/feed.ics")
    assert fetch.is_public_address("93.184.216.34")


def test_the_name_is_resolved_once_and_the_checked_address_is_used(monkeypatch, server, settings):
    """An allowed name is resolved once; the connection goes to that address and the real
    name goes in the Host header."""
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["agenda.intranet.example"]
    calls = []
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        calls.append(host)
        if host == "agenda.intranet.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", server.port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    fetched = feeds.fetch(f"http://agenda.intranet.example:{server.port}/agenda.ics")
    assert fetched.body == FIXTURE.read_bytes()
    assert calls.count("agenda.intranet.example") == 1
    assert server.requests[-1]["headers"]["Host"] == f"agenda.intranet.example:{server.port}"


def test_allowed_hosts_can_name_a_port(server, settings):
    settings.SAMEN_FEED_ALLOWED_HOSTS = [f"127.0.0.1:{server.port}"]
    assert feeds.fetch(f"{server.url}/agenda.ics").body == FIXTURE.read_bytes()
    settings.SAMEN_FEED_ALLOWED_HOSTS = [f"127.0.0.1:{server.port + 1}"]
    with pytest.raises(feeds.FeedError):
        feeds.fetch(f"{server.url}/agenda.ics")


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/agenda.ics",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/",
    ],
)
def test_every_redirect_is_checked_again(fake_server, location):
    fake_server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    fake_server.redirects["/verhuisd"] = (302, location.format(port=fake_server.port))
    with pytest.raises(feeds.FeedError):
        feeds.fetch(f"{fake_server.url}/verhuisd")
    assert [r["path"] for r in fake_server.requests] == ["/verhuisd"]


def test_redirects_are_followed_five_times_at_most(fake_server):
    fake_server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    for n in range(7):
        fake_server.redirects[f"/stap{n}"] = (301, f"/stap{n + 1}")
    fake_server.redirects["/stap7"] = (308, "/agenda.ics")
    fake_server.redirects["/kort"] = (307, "/stap4")
    assert feeds.fetch(f"{fake_server.url}/kort").body == FIXTURE.read_bytes()  # 5 hops
    with pytest.raises(feeds.FeedError) as error:
        feeds.fetch(f"{fake_server.url}/stap0")  # 8 hops
    assert "meer dan 5 keer door" in str(error.value)


def test_one_deadline_for_the_whole_download(settings):
    """Each read gets a byte within 0.1 s; the download as a whole stops at the deadline."""
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SAMEN_FEED_TIMEOUT = 1
    slow = RawServer(drip(seconds=6))
    started = time.monotonic()
    with pytest.raises(feeds.FeedError) as error:
        feeds.fetch(slow.url + "/agenda.ics")
    assert time.monotonic() - started < 3
    assert str(error.value) == "De website antwoordde niet binnen 1 seconden."
    slow.close()


def test_the_size_limit_is_counted_while_reading(settings):
    """No Content-Length: the body is counted as it comes in."""
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SAMEN_FEED_MAX_BYTES = 1000

    def endless(connection):
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n\r\n")
        for _ in range(200):
            connection.sendall(b"X" * 100)

    big = RawServer(endless)
    with pytest.raises(feeds.FeedError) as error:
        feeds.fetch(big.url + "/")
    assert "te groot" in str(error.value)
    big.close()


@pytest.mark.parametrize(
    "answer",
    [b"220 mail.example ESMTP Postfix\r\n", b"SSH-2.0-OpenSSH_9.6\r\n", b"\x00\xff\x13garbage"],
)
def test_an_answer_that_is_not_http_is_a_dutch_error(settings, answer):
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    raw = RawServer(banner(answer))
    with pytest.raises(feeds.FeedError) as error:
        feeds.fetch(raw.url + "/")
    assert str(error.value) == "Op dit adres antwoordt geen webserver (geen geldig HTTP-antwoord)."
    assert "Errno" not in str(error.value)
    raw.close()


def test_a_closed_port_is_explained_to_staff_without_errno(settings):
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the probe is gone
    with pytest.raises(feeds.FeedError) as error:
        feeds.fetch(f"http://127.0.0.1:{port}/")
    assert str(error.value) == "De website is niet bereikbaar: de verbinding werd geweigerd."


def test_conditional_get_still_works_through_the_guard(fake_server):
    fake_server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    first = feeds.fetch(f"{fake_server.url}/agenda.ics")
    again = feeds.fetch(f"{fake_server.url}/agenda.ics", etag=first.etag)
    assert again.body is None and again.etag == first.etag
    assert fake_server.requests[-1]["headers"]["If-None-Match"] == first.etag


# --- What an anonymous visitor sees -----------------------------------------------------------


def join(client, url):
    return client.post(
        "/samenstad/meedoen/",
        {"name": "Buurthuis", "email": "info@buurthuis.example", "feed_url": url},
    )


def test_the_join_preview_does_not_tell_an_open_port_from_a_closed_one(client, samenstad, settings):
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["127.0.0.1"]  # even where the address is allowed
    smtp = RawServer(banner(b"220 mail.example ESMTP\r\n"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    pages = [
        join(client, f"http://127.0.0.1:{port}/").content.decode() for port in (smtp.port, closed)
    ]
    for page in pages:
        assert "Dit adres konden we niet lezen." in page
        assert "Errno" not in page and "geen webserver" not in page
        assert "niet bereikbaar" not in page
    smtp.close()


def test_the_join_preview_refuses_internal_addresses(client, samenstad, server):
    page = join(client, f"http://localhost:{server.port}/agenda.ics").content.decode()
    assert "Dit adres konden we niet lezen." in page
    assert server.requests == []


def test_the_join_preview_is_rate_limited(client, samenstad, fake_server, settings):
    settings.SAMEN_FEED_PREVIEW_RATE = "3/h"
    fake_server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    statuses = [join(client, f"{fake_server.url}/agenda.ics").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(fake_server.requests) == 3  # no fetch once limited
    page = join(client, f"{fake_server.url}/agenda.ics").content.decode()
    assert "Probeer het over een uur opnieuw" in page


def test_staff_see_the_detail_of_a_failed_feed(login, samenstad, unscoped, settings):
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    smtp = RawServer(banner(b"220 mail.example ESMTP\r\n"))
    library = Organisation.objects.get(slug="bibliotheek-samenstad")
    feed = services.add_feed(organisation=library, url=f"{smtp.url}/agenda.ics")
    services.import_feed(feed=feed)
    page = login("partner").get("/samenstad/beheer/activiteiten/").content.decode()
    assert "geen geldig HTTP-antwoord" in page
    smtp.close()


# --- Local files ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/etc/passwd", "file:///etc/passwd", "/etc/hostname"])
def test_a_local_path_typed_in_a_form_is_never_read(client, login, samenstad, unscoped, path):
    page = join(client, path).content.decode()
    assert "root:" not in page
    library = Organisation.objects.get(slug="bibliotheek-samenstad")
    with pytest.raises(feeds.FeedError):
        feeds.fetch(path)
    with pytest.raises(feeds.FeedError):
        services.preview(path)
    feed = Feed.objects.create(
        municipality=samenstad, organisation=library, url=path, kind="ical"
    )  # e.g. slipped in through the admin
    result = services.import_feed(feed=feed)
    assert "opdrachtregel" in result.error
    services.refresh_all_feeds()
    feed.refresh_from_db()
    assert not Activity.objects.filter(feed=feed).exists()


def test_a_local_path_is_read_from_the_command_line(samenstad, unscoped, capsys):
    call_command(
        "import-feed", "--municipality", "samenstad", "--organisation", "welzijn-samenstad",
        str(FIXTURE),
    )  # fmt: skip
    assert "3 created" in capsys.readouterr().out


# --- Imports after approval run as tasks -------------------------------------------------------


def test_the_confirm_link_queues_the_import_instead_of_fetching(
    client, samenstad, fake_server, settings, unscoped
):
    import re

    from django.core import mail
    from django_tasks import default_task_backend

    samenstad.require_organisation_approval = False
    samenstad.save()
    fake_server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    client.post(
        "/samenstad/meedoen/",
        {
            "name": "Bieb West",
            "email": "west@bieb.example",
            "feed_url": f"{fake_server.url}/agenda.ics",
            "step": "confirm",
        },
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    link = re.search(r"/samenstad/meedoen/bevestigen/\S+/", mail.outbox[-1].body).group(0)
    client.get(link)  # the page with the button
    client.post(link)
    assert fake_server.requests == []  # the anonymous request fetched nothing
    assert [r.task.name for r in default_task_backend.results] == ["import_feed"]


def test_the_confirm_link_fetches_nothing_with_the_in_process_task_backend(
    client, samenstad, fake_server, unscoped
):
    """The default backend runs a task inside the request that queues it: the anonymous
    visitor's click would then fetch the feed. The import waits for the next refresh round
    (a worker, or `samen schedule`), and the page says so."""
    import re

    from django.core import mail

    from samen.activities.models import Feed

    samenstad.require_organisation_approval = False
    samenstad.save()
    fake_server.routes["/agenda.ics"] = ("text/calendar", FIXTURE.read_bytes())
    client.post(
        "/samenstad/meedoen/",
        {
            "name": "Bieb Oost",
            "email": "oost@bieb.example",
            "feed_url": f"{fake_server.url}/agenda.ics",
            "step": "confirm",
        },
    )
    link = re.search(r"/samenstad/meedoen/bevestigen/\S+/", mail.outbox[-1].body).group(0)
    fetched_by_the_preview = len(fake_server.requests)
    response = client.post(link)
    assert len(fake_server.requests) == fetched_by_the_preview  # the click fetched nothing
    assert "bij de volgende ronde" in response.content.decode()
    feed = Feed.objects.get(url=f"{fake_server.url}/agenda.ics")
    assert feed.is_active
    services.refresh_all_feeds()  # the scheduled round, outside any visitor's request
    assert len(fake_server.requests) == fetched_by_the_preview + 1
    assert Activity.objects.filter(feed=feed).count() == 3
