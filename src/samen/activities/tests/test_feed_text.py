"""One sanitiser for every text from a feed: titles are plain text (entities decoded, tags
removed), descriptions keep their paragraphs. On feedparser's own test files (corpus/feedparser)."""

from pathlib import Path

import pytest

from samen.activities import feeds

CORPUS = Path(__file__).parent / "corpus" / "feedparser"


def _item(name: str) -> feeds.Item:
    (item,) = feeds.parse_rss((CORPUS / name).read_bytes())
    return item


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("atom_entry_title_escaped_markup.xml", "Example Atom"),
        ("atom_entry_title_inline_markup.xml", "Example Atom"),
        ("rss_item_title.xml", "Item 1 title"),
    ],
)
def test_titles_are_plain_text(name, title):
    assert _item(name).title == title


def test_descriptions_keep_their_paragraphs_and_lose_their_tags():
    assert _item("rss_item_description_br.xml").description == (
        "article title\n\narticle byline\n\ntext of article"
    )
    assert _item("rss_item_description_escaped_markup.xml").description == "Example description"


def test_every_format_goes_through_the_same_sanitiser():
    html = "<p>Koffie &amp; thee</p><p>Elke <b>dinsdag</b></p><script>alert(1)</script>"
    assert feeds.plain_text(html) == "Koffie & thee\n\nElke dinsdag"
    assert feeds.plain_text(html, paragraphs=False) == "Koffie & thee Elke dinsdag"
    assert len(feeds.plain_text("x" * 10_000)) == feeds.DESCRIPTION_MAX
    ical = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:a@google.com\r\nDTSTART:20261208T090000Z\r\n"
        b"DTEND:20261208T100000Z\r\nSUMMARY:Inloop\r\n"
        b"DESCRIPTION:<b>Welkom</b><br>Koffie &amp\\; thee\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (item,) = feeds.parse_ical(ical)
    assert item.description == "Welkom\nKoffie & thee"
