"""The guarded fetcher is the only way out: the PDOK geocoder goes through it too."""

from pathlib import Path

import pytest

from samen.core import fetch
from samen.core.places import PdokGeocoder
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
    with pytest.raises(fetch.FetchError):
        fetch.get("http://a..b/")  # not a valid name: an error, not a crash


@pytest.fixture
def tls_server(tmp_path, settings, monkeypatch):
    """An https server on 127.0.0.1 whose certificate is for feeds.test only; the client
    trusts that certificate, and feeds.test / other.test resolve to 127.0.0.1."""
    import http.server
    import shutil
    import socket
    import ssl
    import subprocess
    import threading

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=feeds.test", "-addext", "subjectAltName=DNS:feeds.test",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = FakeServer()
    server.routes["/agenda.ics"] = ("text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.close()  # its handler is reused behind TLS
    tls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), server.httpd.RequestHandlerClass)
    tls.socket = context.wrap_socket(tls.socket, server_side=True)
    threading.Thread(target=tls.serve_forever, daemon=True).start()
    port = tls.server_address[1]
    real_resolve, real_context = socket.getaddrinfo, ssl.create_default_context

    def resolve(host, *args, **kwargs):
        if host in ("feeds.test", "other.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(ssl, "create_default_context", lambda: real_context(cafile=str(cert)))
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["feeds.test", "other.test"]
    yield server, port
    tls.shutdown()
    tls.server_close()


def test_https_to_the_pinned_address_checks_the_certificate_for_the_name(tls_server):
    server, port = tls_server
    response = fetch.get(f"https://feeds.test:{port}/agenda.ics")
    assert response.status == 200 and response.body.startswith(b"BEGIN:VCALENDAR")
    assert server.requests[-1]["headers"]["Host"] == f"feeds.test:{port}"
    with pytest.raises(fetch.FetchError) as error:
        fetch.get(f"https://other.test:{port}/agenda.ics")  # same address, wrong name
    assert "certificaat" in error.value.detail


def test_no_other_code_opens_urls():
    """Every outbound request goes through core/fetch.py."""
    import re

    source = Path(__file__).parents[2]
    pattern = re.compile(
        r"urlopen|urllib\.request|^\s*(import|from) (requests|httpx|urllib3|http\.client)\b"
        r"|socket\.(create_connection|socket)\(",
        re.MULTILINE,
    )
    offenders = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "fetch.py"
        and pattern.search(path.read_text())
    ]
    assert offenders == []


def test_a_visitors_searches_ask_pdok_a_limited_number_of_times(pdok, settings, client, samenstad):
    """Each new address a visitor searches near costs a request to PDOK: limited per client
    (SAMEN_GEOCODE_RATE); past it the offline table answers, and the page still works."""
    settings.SAMEN_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SAMEN_GEOCODER = "pdok"
    settings.SAMEN_PDOK_URL = pdok.url
    settings.SAMEN_GEOCODE_RATE = "2/h"
    for street in ("Kerkstraat 1", "Dorpsstraat 2", "Molenweg 3", "Brink 4"):
        response = client.get("/samenstad/agenda/", {"near": f"{street}, Samenstad"})
        assert response.status_code == 200
    api = client.get("/api/v1/activities", {"municipality": "samenstad", "near": "Esweg 5"})
    assert api.status_code in (200, 400)
    assert len(pdok.requests) == 2
    other_visitor = client.get(
        "/samenstad/agenda/", {"near": "Esweg 5, Samenstad"}, REMOTE_ADDR="192.0.2.77"
    )
    assert other_visitor.status_code == 200 and len(pdok.requests) == 3
