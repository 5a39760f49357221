"""Rate limits key on the visitor, not on a header the visitor writes."""

import pytest
from django.test import Client, RequestFactory

from samen.core.net import client_ip


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.SAMEN_TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert client_ip(_request("203.0.113.7")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_counts(settings):
    settings.SAMEN_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("10.0.0.2", "198.51.100.1")) == "198.51.100.1"
    # a request that did not pass the proxy: the header is the sender's own invention
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_spoofed_hop_left_of_an_untrusted_one_is_ignored(settings):
    settings.SAMEN_TRUSTED_PROXIES = ["10.0.0.1", "10.0.0.2"]
    # the visitor wrote 1.1.1.1; 198.51.100.9 is who reached our first proxy
    chain = "1.1.1.1, 198.51.100.9, 10.0.0.1"
    assert client_ip(_request("10.0.0.2", chain)) == "198.51.100.9"
    assert client_ip(_request("10.0.0.2", "garbage, 10.0.0.1")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.2", "[2001:db8::5]:443")) == "2001:db8::5"


def _newsletter(client: Client, n: int, **extra):
    return client.post(
        "/samenstad/nieuwsbrief/",
        {"email": f"lezer{n}@example.org", "name": ""},
        **extra,
    )


@pytest.mark.django_db
def test_spoofing_x_forwarded_for_does_not_escape_the_limit(samenstad, settings):
    settings.SAMEN_CONCERN_RATE = "3/h"
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        _newsletter(client, n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_behind_the_proxy_each_visitor_has_their_own_limit(samenstad, settings):
    settings.SAMEN_CONCERN_RATE = "3/h"
    settings.SAMEN_TRUSTED_PROXIES = ["10.0.0.2"]
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    first = [
        _newsletter(proxy, n, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code for n in range(4)
    ]
    other = _newsletter(proxy, 9, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert first == [200, 200, 200, 429]
    assert other.status_code == 200
