"""The guarded fetcher is the only way out: the PDOK geocoder goes through it too."""

from pathlib import Path

import pytest

from samen.core import fetch
from samen.core.geo import PdokGeocoder
from samen.core.tests.servers import FakeServer

RECORDED = Path(__file__).parents[2] / "activities" / "tests" / "recorded"


@pytest.fixture
def pdok(settings):
    settings.SAMEN_FEED_ALLOWED_HOSTS = []
    server = FakeServer()
    server.routes["/free"] = ("application/json", (RECORDED / "pdok-free-9501AB.json").read_bytes())
    yield server
    server.close()


def test_a_pdok_url_on_an_internal_address_is_not_asked(pdok):
    assert PdokGeocoder(f"http://localhost:{pdok.port}").geocode("9501AB") is None
    assert pdok.requests == []


def test_pdok_on_an_allowed_host_answers(pdok, settings):
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    point = PdokGeocoder(pdok.url).geocode("9501AB")
    assert (point.latitude, point.longitude) == (52.70097, 6.19612)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2a00:1450:4001::200e", True),
        ("::ffff:8.8.8.8", True),
        ("127.0.0.1", False),
        ("100.127.255.255", False),
        ("169.254.169.254", False),
        ("fe80::1%eth0", False),
        ("::ffff:192.168.0.1", False),
        ("::c0a8:1", False),
        ("64:ff9b::808:808", False),
        ("2002:7f00:1::", False),
        ("255.255.255.255", False),
    ],
)
def test_public_addresses(address, public):
    assert fetch.is_public_address(address) is public


def test_only_http_and_https(settings):
    for url in ("ftp://example.nl/", "file:///etc/passwd", "gopher://example.nl/", "//x/"):
        with pytest.raises(fetch.FetchError) as error:
            fetch.get(url)
        assert error.value.public == "Dit adres konden we niet lezen."
    with pytest.raises(fetch.FetchError):
        fetch.get("http://user:secret@example.nl/")
    with pytest.raises(fetch.FetchError):
        fetch.get("http://example.nl:99999/")
