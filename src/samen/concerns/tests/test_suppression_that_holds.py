"""Suppression that holds (issue #12): a second cell hides beside a small one, shares of
small counts are hidden, and partners do not learn the outcome of their own report from a 0."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from samen.concerns import services
from samen.concerns.models import Case

FIGURES = "/api/v1/municipalities/samenstad/concern-figures"


def file_reports(municipality, count, *, reporter_type="shop", postcode="1000AA", start=1, **kw):
    """`count` reports about different addresses (so `count` new cases)."""
    for number in range(start, start + count):
        data = {
            "description": "zorg",
            "postcode": postcode,
            "house_number": str(number),
            "reporter_type": reporter_type,
            "person_aware": "unknown",
        }
        services.submit_report(municipality=municipality, data=data, **kw)


def test_a_single_small_reporter_type_hides_a_second_one(client, bearer, samenstad):
    # The demo: 1 delivery, 1 shop, 1 pharmacy, 1 neighbour. Now 7 shop, 6 delivery,
    # 6 neighbour, and the pharmacy's 1 stays alone under 5 beside a total of 20.
    file_reports(samenstad, 6, reporter_type="shop")
    file_reports(samenstad, 5, reporter_type="delivery", start=10)
    file_reports(samenstad, 5, reporter_type="neighbour", start=20)
    body = client.get(FIGURES, **bearer("coordinator")).json()
    assert body["reports"] == 20
    counts = {row["label"]: row["count"] for row in body["by_reporter_type"]}
    assert counts["Apotheek"] is None
    # Another one hides with it (the smallest: delivery's 6), so 20 minus the rest does not
    # give the pharmacy's 1 away.
    assert counts["Post- of pakketbezorging"] is None
    assert counts["Winkel of supermarkt"] == 7 and counts["Buurtbewoner"] == 6


def test_small_cells_adding_up_to_under_5_are_not_given_away(client, bearer, samenstad):
    # 7 shop beside 1 delivery, 1 pharmacy, 1 neighbour (total 10): each hidden one is 1.
    file_reports(samenstad, 6, reporter_type="shop")
    body = client.get(FIGURES, **bearer("coordinator")).json()
    counts = {row["label"]: row["count"] for row in body["by_reporter_type"]}
    assert body["reports"] == 10 and counts["Winkel of supermarkt"] is None


@pytest.fixture
def sixteen_cases(samenstad, unscoped):
    """The demo's 3 cases and 13 more: 6 connected, 3 declined, 7 still open."""
    file_reports(samenstad, 13)
    cases = list(Case.objects.filter(municipality=samenstad, postcode="1000AA").order_by("pk"))
    now = timezone.now()
    for case in cases[:6]:
        Case.objects.filter(pk=case.pk).update(status="closed", outcome="connected", closed_at=now)
    for case in cases[6:9]:
        Case.objects.filter(pk=case.pk).update(status="closed", outcome="declined", closed_at=now)
    return cases


def test_an_outcome_under_5_hides_a_second_outcome(login, client, bearer, sixteen_cases):
    body = client.get(FIGURES, **bearer("coordinator")).json()
    assert body["cases"] == 16 and body["open"] == 7
    outcomes = {row["label"]: row["count"] for row in body["by_outcome"]}
    assert outcomes["Wil geen ondersteuning"] is None
    assert outcomes["Verbonden met ondersteuning"] is None  # 6, hidden beside the 3
    assert outcomes["Verhuisd"] == 0
    csv = login("coordinator").get("/samenstad/beheer/signalen/cijfers.csv").content
    assert csv.startswith("\ufeffonderdeel;categorie;aantal\r\n".encode())  # Dutch Excel
    csv = csv.decode("utf-8-sig")
    assert "uitkomst;Verbonden met ondersteuning;< 5" in csv
    assert "uitkomst;Wil geen ondersteuning;< 5" in csv
    page = login("coordinator").get("/samenstad/beheer/signalen/cijfers/").content.decode()
    assert re.search(r"Verbonden met ondersteuning</td><td>&lt; 5<", page)


def test_a_share_of_a_suppressed_count_is_hidden(client, bearer, sixteen_cases, unscoped):
    # 10 reached, 8 of them in time: 80% beside 10 would tell that 2 were late.
    now = timezone.now()
    for index, case in enumerate(sixteen_cases[:10]):
        late = index >= 8
        Case.objects.filter(pk=case.pk).update(
            first_contact_at=now, deadline=now + dt.timedelta(days=-1 if late else 1)
        )
    body = client.get(FIGURES, **bearer("coordinator")).json()
    assert body["contacted_in_time"] == 8
    assert body["in_time_share"] is None and body["contacted"] is None
    # 10 reached, 5 in time: nothing small, so the share shows.
    Case.objects.filter(pk__in=[c.pk for c in sixteen_cases[5:8]]).update(
        deadline=now - dt.timedelta(days=1)
    )
    body = client.get(FIGURES, **bearer("coordinator")).json()
    assert body["in_time_share"] == 50 and body["contacted"] == 10


def _feedback_row(page: str, reporter_type: str, area: str) -> list[str]:
    row = re.search(
        rf"<tr><td>{reporter_type}</td><td>{area}</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td></tr>", page
    )
    assert row, page
    return [row.group(1), row.group(2)]


def test_a_partner_sees_no_outcome_as_under_5_not_as_0(login, samenstad, unscoped):
    file_reports(samenstad, 6, reporter_type="bank")  # 6 signals from banks in 1000, none helped
    page = login("partner").get("/samenstad/beheer/signalen/terugkoppeling/").content.decode()
    assert _feedback_row(page, "Bank", "1000") == ["6", "&lt; 5"]


def test_a_partner_does_not_learn_that_every_signal_led_to_support(login, samenstad, unscoped):
    file_reports(samenstad, 6, reporter_type="bank")
    Case.objects.filter(postcode="1000AA").update(status="closed", outcome="connected")
    page = login("partner").get("/samenstad/beheer/signalen/terugkoppeling/").content.decode()
    # "6 of 6" would tell each reporter that theirs led to support.
    assert _feedback_row(page, "Bank", "1000") == ["6", "&lt; 5"]
    # With 6 of 12 both sides are large enough to show.
    file_reports(samenstad, 6, reporter_type="bank", start=50)
    page = login("partner").get("/samenstad/beheer/signalen/terugkoppeling/").content.decode()
    assert _feedback_row(page, "Bank", "1000") == ["12", "6"]


def test_areas_of_one_reporter_type_hide_a_second_area(login, samenstad, unscoped):
    # Shops: the demo's 1 in 9501, 6 in 1000 and 9 in 2000. The shops' total (16) is on the
    # figures page: 16 - 6 - 9 would give the 1 in 9501 away, so 1000's 6 hides with it.
    file_reports(samenstad, 6, postcode="1000AA")
    file_reports(samenstad, 9, postcode="2000AA")
    page = login("coordinator").get("/samenstad/beheer/signalen/cijfers/").content.decode()
    assert _feedback_row(page, "Winkel of supermarkt", "9501")[0] == "&lt; 5"
    assert _feedback_row(page, "Winkel of supermarkt", "1000")[0] == "&lt; 5"
    assert _feedback_row(page, "Winkel of supermarkt", "2000")[0] == "9"


def test_contacts_beside_the_cases_do_not_give_away_the_few_not_reached(
    client, bearer, samenstad, sixteen_cases, unscoped
):
    # Every case reached but two: "contacted" beside "cases" would tell that 2 were not.
    now = timezone.now()
    cases = Case.objects.filter(municipality=samenstad).exclude(
        pk__in=[c.pk for c in sixteen_cases[:2]]
    )
    for index, pk in enumerate(cases.values_list("pk", flat=True)):
        late = index % 2 == 0
        Case.objects.filter(pk=pk).update(
            first_contact_at=now, deadline=now + dt.timedelta(days=-1 if late else 1)
        )
    body = client.get(FIGURES, **bearer("coordinator")).json()
    assert body["cases"] is not None and body["contacted"] is None
    Case.objects.filter(pk__in=[c.pk for c in sixteen_cases[:2]]).update(first_contact_at=now)
    body = client.get(FIGURES, **bearer("coordinator")).json()
    assert body["contacted"] == body["cases"]
