"""A feed refresh may replace occurrences while a resident searches: the agenda still
answers, without the occurrence that just went away (found by bench/reliability.py)."""

from unittest import mock

import pytest

from samen.activities import selectors
from samen.activities.models import Occurrence


@pytest.fixture
def refresh_between_steps():
    """Remove the first match after the search found it and before its page is loaded."""
    real = selectors.matches
    removed = []

    def matches_then_refresh(*args, **kwargs):
        found = real(*args, **kwargs)
        occurrence = Occurrence.objects.select_related("activity").get(pk=found[0].pk)
        removed.append(occurrence.activity.title)
        occurrence.delete()
        return found

    with mock.patch.object(selectors, "matches", matches_then_refresh):
        yield removed


def test_the_agenda_page_leaves_out_what_was_just_removed(client, samenstad, refresh_between_steps):
    response = client.get("/samenstad/agenda/", {"when": "month"})
    assert response.status_code == 200
    assert refresh_between_steps  # an occurrence really went away mid-search


def test_the_api_answers_with_the_remaining_occurrences(client, samenstad, refresh_between_steps):
    response = client.get("/api/v1/activities", {"municipality": "samenstad"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and len(results) == response.json()["count"] - 1
