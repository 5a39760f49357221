"""Security settings as a production server runs them: settings.py read with a server database
and neither DEBUG nor the demo, then what browsers and API clients get from it. Also the
login throttle and two-factor login beyond what test_web.py proves."""

import importlib.util
from types import ModuleType

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.core.models import Municipality

from . import demo_urls

# What settings.py decides differently outside development.
PRODUCTION_SETTINGS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SAMEN_REQUIRE_2FA_CASEWORKERS",
)


def settings_of_a_server(monkeypatch) -> ModuleType:
    """settings.py evaluated as on a server: PostgreSQL, a SECRET_KEY, no DEBUG, no demo."""
    for name in ("DEBUG", "SAMEN_DEMO", "SAMEN_HTTPS", "SECURE_SSL_REDIRECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SAMEN_REQUIRE_2FA_CASEWORKERS", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://samen@db.invalid:5432/samen")
    monkeypatch.setenv("SECRET_KEY", "a-server-secret-" * 4)
    spec = importlib.util.spec_from_file_location(
        "samen_server_settings", importlib.util.find_spec("samen.settings").origin
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def production(settings, monkeypatch, samenstad):
    server = settings_of_a_server(monkeypatch)
    for name in PRODUCTION_SETTINGS:
        setattr(settings, name, getattr(server, name))
    return server


def https_client(**kwargs) -> Client:
    """A browser behind the TLS-terminating proxy (which sets X-Forwarded-Proto)."""
    return Client(HTTP_X_FORWARDED_PROTO="https", **kwargs)


def every_page(municipality: Municipality):
    """Every page of the municipality that needs no personal link: public and staff."""
    for route in demo_urls.routes():
        try:
            kwargs = demo_urls.parameters(route, municipality)
        except LookupError:
            continue  # a personal link (status of a report, newsletter confirmation, ...)
        yield demo_urls.url(route, municipality.slug, kwargs)


def test_a_server_runs_without_debug_and_with_https_and_two_factor_login(monkeypatch):
    server = settings_of_a_server(monkeypatch)
    assert server.DEBUG is False
    assert server.SECURE_SSL_REDIRECT and server.SESSION_COOKIE_SECURE and server.CSRF_COOKIE_SECURE
    assert server.SAMEN_REQUIRE_2FA_CASEWORKERS is True


def test_plain_http_is_redirected_to_https_except_the_health_check(production):
    client = Client()
    response = client.get("/samenstad/agenda/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/samenstad/agenda/"
    assert client.get("/healthz").status_code == 200


def test_every_page_carries_the_security_headers(production, samenstad, user):
    """HSTS, a CSP without 'unsafe-inline' that forbids framing, nosniff, a referrer policy;
    for every page, whether the answer is the page, a redirect or a refusal."""
    client = https_client()
    client.force_login(user("coordinator"))
    urls = [*every_page(samenstad), "/api/v1/activities"]
    assert len(urls) > 40
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        headers = response.headers
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["Referrer-Policy"] == "same-origin", url
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        if url.endswith("/agenda/embed/"):
            assert "frame-ancestors *" in csp and "X-Frame-Options" not in headers
        else:
            assert "frame-ancestors 'none'" in csp and headers["X-Frame-Options"] == "DENY", url


def test_session_and_csrf_cookies_are_secure(production):
    client = https_client()
    form = client.get("/inloggen/")
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post("/inloggen/", {"username": "coordinator", "password": "samen-demo"})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_a_form_posted_without_the_csrf_token_is_refused(production):
    client = https_client(enforce_csrf_checks=True)
    response = client.post("/samenstad/signaal/", {"description": "Gordijnen dicht"})
    assert response.status_code == 403


def test_login_throttle_counts_per_username_from_every_address(client, samenstad, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client.post(
            "/inloggen/", {"username": "coordinator", "password": "fout"}, REMOTE_ADDR=address
        )
    response = Client(REMOTE_ADDR="10.0.0.4").post(
        "/inloggen/", {"username": "coordinator", "password": "samen-demo"}
    )
    assert response.status_code == 429
    other = Client().post("/inloggen/", {"username": "partner", "password": "samen-demo"})
    assert other.status_code == 302


def test_login_throttle_counts_per_address_over_usernames(samenstad):
    """Trying many usernames from one address (30 failures) is refused too."""
    guesser = Client(REMOTE_ADDR="10.0.0.9")
    for n in range(30):
        guesser.post("/inloggen/", {"username": f"gebruiker{n}", "password": "fout"})
    response = guesser.post("/inloggen/", {"username": "coordinator", "password": "samen-demo"})
    assert response.status_code == 429
    assert "_auth_user_id" not in guesser.session


@pytest.fixture
def caseworker_device(user):
    return TOTPDevice.objects.create(user=user("caseworker"), name="app", confirmed=True)


def code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def password_only(username: str) -> Client:
    client = https_client()
    response = client.post("/inloggen/", {"username": username, "password": "samen-demo"})
    assert response.status_code == 302
    return client


def test_caseworker_without_second_factor_reaches_no_case_on_a_server(
    production, caseworker_device
):
    client = password_only("caseworker")
    assert client.get("/samenstad/beheer/signalen/")["Location"].startswith("/account/code/?next=")
    api = client.get("/api/v1/municipalities/samenstad/cases")
    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"


def test_caseworker_with_second_factor_reaches_the_cases(production, caseworker_device):
    client = password_only("caseworker")
    response = client.post("/account/code/", {"token": code(caseworker_device)})
    assert response.status_code == 302
    assert client.get("/samenstad/beheer/signalen/").status_code == 200
    assert client.get("/api/v1/municipalities/samenstad/cases").status_code == 200


def test_a_code_works_once(production, caseworker_device):
    token = code(caseworker_device)
    first = password_only("caseworker")
    first.post("/account/code/", {"token": token})
    second = password_only("caseworker")
    response = second.post("/account/code/", {"token": token})
    assert "Deze code klopt niet" in response.content.decode()
    assert second.get("/samenstad/beheer/signalen/").status_code == 302


def test_guessing_codes_is_throttled(production, caseworker_device):
    client = password_only("caseworker")
    for _ in range(5):
        client.post("/account/code/", {"token": "000000"})
    response = client.post("/account/code/", {"token": code(caseworker_device)})
    assert "Te veel pogingen" in response.content.decode()
    assert client.get("/samenstad/beheer/signalen/").status_code == 302


def test_login_address_limit_follows_the_trusted_proxy(samenstad, settings):
    """Behind the reverse proxy the login limit counts the visitor, not the proxy; a spoofed
    X-Forwarded-For from a client that is not a proxy changes nothing."""
    settings.SAMEN_TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for n in range(30):
        proxy.post(
            "/inloggen/",
            {"username": f"gebruiker{n}", "password": "fout"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    other_visitor = proxy.post(
        "/inloggen/",
        {"username": "coordinator", "password": "samen-demo"},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other_visitor.status_code == 302

    spoofer = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(30):
        spoofer.post(
            "/inloggen/",
            {"username": f"gast{n}", "password": "fout"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = spoofer.post("/inloggen/", {"username": "partner", "password": "samen-demo"})
    assert response.status_code == 429
