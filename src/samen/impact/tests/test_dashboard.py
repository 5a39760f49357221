import io

import pytest
from django_scopes import scopes_disabled
from openpyxl import load_workbook


def test_coordinator_sees_figures_from_the_capabilities(login, samenstad):
    page = login("coordinator").get("/samenstad/beheer/impact/").content.decode()
    assert "Signaalpunt" in page and "Activiteiten" in page
    assert "<svg" in page and "chart__bar" in page
    assert "Koffieochtend" not in page and "De Boer" not in page  # figures, not records


def test_small_concern_counts_are_suppressed(client, bearer, samenstad):
    body = client.get("/api/v1/municipalities/samenstad/kpis", **bearer("coordinator")).json()
    concerns = next(s for s in body["sections"] if s["key"] == "concerns")
    assert concerns["headline"][0]["value"] is None  # 4 demo reports
    monthly = next(t for t in concerns["tables"] if t["key"] == "concerns-monthly")
    assert all(row[1] is None or row[1] == 0 or row[1] >= 5 for row in monthly["rows"])
    activities = next(s for s in body["sections"] if s["key"] == "activities")
    assert (
        dict((h["label"], h["value"]) for h in activities["headline"])["activiteiten"] == 11
    )  # ten activities and the published inspiration meeting


def test_searches_and_subscriptions_are_counted(client, bearer, samenstad):
    client.get("/samenstad/agenda/")
    client.get("/samenstad/agenda/", {"q": "koffie"})
    client.get("/samenstad/agenda.ics")
    body = client.get("/api/v1/municipalities/samenstad/kpis", **bearer("coordinator")).json()
    headline = {
        h["label"]: h["value"]
        for s in body["sections"]
        if s["key"] == "activities"
        for h in s["headline"]
    }
    assert headline["zoekopdrachten"] == 2 and headline["abonnementen (iCal/RSS)"] == 1


def test_every_table_exports_as_csv_and_xlsx(login, samenstad):
    client = login("coordinator")
    csv = client.get("/samenstad/beheer/impact/concerns-sources.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbfsoort melder;signalen\r\n")  # Dutch Excel
    assert "< 5" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/samenstad/beheer/impact/activities-categories.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == ["soort", "activiteiten"]
    assert client.get("/samenstad/beheer/impact/bestaat-niet.csv").status_code == 404


def test_yearly_report_is_printable(login, samenstad):
    page = (
        login("coordinator")
        .get("/samenstad/beheer/impact/jaarverslag/", {"year": "2026"})
        .content.decode()
    )
    assert "Jaarverslag Samenstad 2026" in page and "report.css" in page and "<svg" in page


@pytest.mark.parametrize(
    ("username", "status"), [("caseworker", 403), ("partner", 403), ("caseworker-tweestad", 404)]
)
def test_only_the_coordinator_of_the_municipality(login, samenstad, username, status):
    assert login(username).get("/samenstad/beheer/impact/").status_code == status


def test_dashboard_has_all_four_capabilities(client, bearer, samenstad):
    body = client.get("/api/v1/municipalities/samenstad/kpis", **bearer("coordinator")).json()
    assert [s["key"] for s in body["sections"]] == [
        "concerns",
        "activities",
        "partners",
        "volunteering",
    ]
    partners = next(s for s in body["sections"] if s["key"] == "partners")
    steps = next(t for t in partners["tables"] if t["key"] == "partners-steps")
    assert sum(row[1] for row in steps["rows"]) >= 4  # the workshop case's four businesses


def test_other_municipalitys_figures_are_not_mixed_in(client, bearer, samenstad, tweestad):
    ours = client.get("/api/v1/municipalities/samenstad/kpis", **bearer("coordinator")).json()
    activities = {
        h["label"]: h["value"]
        for s in ours["sections"]
        if s["key"] == "activities"
        for h in s["headline"]
    }
    assert activities["activiteiten"] == 11  # with the meeting in the agenda; not Tweestad's inloop
    assert (
        client.get("/api/v1/municipalities/tweestad/kpis", **bearer("coordinator")).status_code
        == 404
    )


PAGE_QUERIES = 4  # municipality, session, user, membership; the figures come from the cache
COUNTING_QUERIES = 17  # recounting every figure, whatever the amount of data


def _more_programmes_and_reports(samenstad) -> None:
    import datetime as dt

    from django.utils import timezone

    from samen.concerns.models import Report
    from samen.volunteering.models import Programme

    with scopes_disabled():
        template = Programme.objects.filter(municipality=samenstad).first()
        for index in range(3):
            Programme.objects.create(
                municipality=samenstad,
                organisation=template.organisation,
                name=f"Programma {index}",
                half_days_per_employee=2,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 12, 31),
            )
        report = Report.objects.filter(municipality=samenstad).first()
        for index in range(6):
            report.pk, report.reference = None, f"SP-X-{index}"
            report.status_token_hash = f"{index:064d}"
            report.created_at = timezone.now()
            report.save()


def test_counting_takes_a_fixed_number_of_queries(samenstad, django_assert_num_queries):
    """More programmes, reports and hours do not add queries: every figure is an aggregate."""
    from django.utils import timezone

    from samen.core.tenancy import municipality_scope
    from samen.impact.selectors import compute

    year = timezone.localdate().year
    with municipality_scope(samenstad), django_assert_num_queries(COUNTING_QUERIES):
        compute(year=year)
    _more_programmes_and_reports(samenstad)
    with municipality_scope(samenstad), django_assert_num_queries(COUNTING_QUERIES):
        sections = compute(year=year)
    programmes = next(t for s in sections for t in s.tables if t.key == "volunteering-programmes")
    assert "Programma 2" in [row[0] for row in programmes.rows]


def test_dashboard_serves_counted_figures_and_recounts_on_request(
    login, samenstad, django_assert_num_queries
):
    client = login("coordinator")
    assert "Geteld op" in client.get("/samenstad/beheer/impact/").content.decode()
    _more_programmes_and_reports(samenstad)
    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get("/samenstad/beheer/impact/").content.decode()
    assert "Programma 2" not in page  # figures of a moment ago, from the cache
    response = client.post("/samenstad/beheer/impact/bijwerken/")
    assert response.status_code == 302
    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get("/samenstad/beheer/impact/").content.decode()
    assert "Programma 2" in page


def test_figures_older_than_ten_minutes_are_recounted_in_the_background(client, bearer, samenstad):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    headers = bearer("coordinator")
    first = client.get("/api/v1/municipalities/samenstad/kpis", **headers).json()
    _more_programmes_and_reports(samenstad)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        # The stale figures are served once more while a task recounts them (here the
        # in-process task backend runs it at once).
        stale = client.get("/api/v1/municipalities/samenstad/kpis", **headers).json()
        fresh = client.get("/api/v1/municipalities/samenstad/kpis", **headers).json()
    assert stale["computed_at"] == first["computed_at"]
    assert fresh["computed_at"] > first["computed_at"]
    programmes = [
        row[0]
        for s in fresh["sections"]
        for t in s["tables"]
        if t["key"] == "volunteering-programmes"
        for row in t["rows"]
    ]
    assert "Programma 2" in programmes


def test_only_staff_with_the_permission_can_recount(login, samenstad):
    assert login("caseworker").post("/samenstad/beheer/impact/bijwerken/").status_code == 403
    assert login("coordinator").get("/samenstad/beheer/impact/bijwerken/").status_code == 405


def test_months_follow_dutch_time(client, bearer, samenstad):
    """A report at 00:30 on 1 February in the Netherlands (23:30 UTC on 31 January) counts
    for February."""
    import datetime as dt

    from samen.concerns.models import Report

    with scopes_disabled():
        report = Report.objects.filter(municipality=samenstad).first()
        for index in range(5):
            report.pk, report.reference = None, f"SP-T-{index}"
            report.status_token_hash = f"{index + 100:064d}"
            report.created_at = dt.datetime(2025, 1, 31, 23, 30, tzinfo=dt.UTC)
            report.save()
    body = client.get(
        "/api/v1/municipalities/samenstad/kpis?year=2025", **bearer("coordinator")
    ).json()
    concerns = next(s for s in body["sections"] if s["key"] == "concerns")
    monthly = next(t for t in concerns["tables"] if t["key"] == "concerns-monthly")
    assert monthly["rows"][0][1] == 0 and monthly["rows"][1][1] == 5


def test_a_partner_sees_only_its_own_figures(login, samenstad):
    from samen.activities.models import Activity, Occurrence

    with scopes_disabled():
        library = {
            m.organisation for m in samenstad.memberships.filter(user__username="partner")
        }.pop()
        ours = Occurrence.objects.filter(activity__organisation=library).count()
        theirs = Occurrence.objects.exclude(activity__organisation=library).count()
        others = Activity.objects.filter(municipality=samenstad).exclude(organisation=library)
        assert ours and theirs and others.exists()
    client = login("partner")
    home = client.get("/samenstad/beheer/").content.decode()
    assert "/samenstad/beheer/impact/eigen/" in home
    page = client.get("/samenstad/beheer/impact/eigen/").content.decode()
    assert library.name in page and "Onze bijdragen in de 5 M" in page
    assert "Bedrijfsprogramma" not in page  # the municipality's tables are not there
    csv = client.get("/samenstad/beheer/impact/eigen/own-monthly.csv").content.decode("utf-8-sig")
    assert csv.startswith("maand;bijeenkomsten")
    # Every meeting this year of the library's own activities, none of the others'.
    from django.utils import timezone

    year = timezone.localdate().year
    with scopes_disabled():
        expected = Occurrence.objects.filter(
            activity__organisation=library, starts_at__year=year
        ).count()
    counted = sum(int(line.split(";")[1]) for line in csv.strip().splitlines()[1:])
    assert counted == expected
    # The municipality's dashboard stays the coordinator's.
    assert client.get("/samenstad/beheer/impact/").status_code == 403
    assert login("coordinator").get("/samenstad/beheer/impact/eigen/").status_code == 403


def test_a_programme_manager_sees_its_programmes(login, samenstad):
    page = login("programme").get("/samenstad/beheer/impact/eigen/").content.decode()
    assert "Onze programma" in page


def test_the_yearly_report_downloads_as_a_pdf_with_the_charts(login, samenstad):
    import base64
    import re
    import zlib

    response = login("coordinator").get("/samenstad/beheer/impact/jaarverslag.pdf?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="samenstad-jaarverslag-2026.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    streams = re.findall(rb"stream\r?\n(.*?)endstream", response.content, re.S)
    # reportlab writes each page as ASCII85 over Flate.
    text = b"".join(zlib.decompress(base64.a85decode(s.strip(), adobe=True)) for s in streams)
    assert b"Impact Samenstad 2026" in text and b"Signalen per maand" in text
    assert text.count(b" re") > 20  # the bars of the charts are drawn as rectangles
