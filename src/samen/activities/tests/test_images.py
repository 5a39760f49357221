"""Issue #14, the image a source gives (schema.org `image`, RSS enclosure or media:content):
kept as an http(s) address, never fetched by Samen, shown on the activity page from that
one origin (the page's Content-Security-Policy allows it, no referrer is sent) and named in
the page's own schema.org Event."""

import json
import re

import pytest

from samen.activities import feeds
from samen.activities.tests.factories import ActivityFactory
from samen.core.tests.factories import MunicipalityFactory

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title>
<item><title>Met bijlage</title><guid>1</guid>
<enclosure url="https://wissel.example/flyer.pdf" length="1" type="application/pdf"/>
<enclosure url="https://wissel.example/foto.jpg" length="1" type="image/jpeg"/></item>
<item><title>Mastodon</title><guid>2</guid>
<media:content url="https://files.example/media/1.png" type="image/png" medium="image"/></item>
<item><title>Geen plaatje</title><guid>3</guid>
<enclosure url="javascript:alert(1)" length="1" type="image/png"/>
<media:content url="https://files.example/a.mp3" type="audio/mpeg"/></item>
</channel></rss>"""


def test_rss_enclosures_and_media_content_of_an_image_type_are_the_image():
    items = feeds.parse(RSS.encode(), "rss")
    assert [item.image_url for item in items] == [
        "https://wissel.example/foto.jpg",
        "https://files.example/media/1.png",
        "",
    ]


@pytest.fixture
def town(db, unscoped):
    return MunicipalityFactory(slug="plaatjesstad")


def page(client, activity):
    return client.get(f"/plaatjesstad/activiteiten/{activity.pk}/")


def schema_org(response) -> dict:
    [block] = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(block)


def test_the_activity_page_shows_the_image_from_its_origin_only(client, town):
    activity = ActivityFactory(municipality=town, image_url="https://wissel.example/foto.jpg")
    response = page(client, activity)
    html = response.content.decode()
    [img] = re.findall(r'<img class="activity-image"[^>]*>', html)
    assert 'src="https://wissel.example/foto.jpg"' in img
    assert 'alt=""' in img and 'loading="lazy"' in img and 'referrerpolicy="no-referrer"' in img
    csp = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://wissel.example;" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert schema_org(response)["image"] == ["https://wissel.example/foto.jpg"]


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://wissel.example/foto.jpg",  # would be mixed content on an https page
        "https://user:secret@wissel.example/foto.jpg",
    ],
)
def test_without_a_showable_image_the_page_and_its_policy_stay_as_they_are(client, town, url):
    activity = ActivityFactory(municipality=town, image_url=url)
    response = page(client, activity)
    assert 'class="activity-image"' not in response.content.decode()
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]
    assert ("image" in schema_org(response)) is bool(url)
