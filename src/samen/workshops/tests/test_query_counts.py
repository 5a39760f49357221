"""The meetings list makes as many queries for 3N meetings as for N."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from samen.core.tests.factories import cold_caches

from .factories import InvitationFactory, MeetingFactory


def _queries(client) -> int:
    cold_caches()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/samenstad/beheer/bijeenkomsten/").status_code == 200
    return len(queries)


def _add(town, n):
    for _ in range(n):
        InvitationFactory(municipality=town, meeting=MeetingFactory(municipality=town))


def test_the_list_page(staff, town):
    _add(town, 2)
    few = _queries(staff)
    _add(town, 4)
    assert _queries(staff) == few
