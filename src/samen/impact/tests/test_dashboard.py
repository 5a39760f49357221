import io

import pytest
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
    assert dict((h["label"], h["value"]) for h in activities["headline"])["activiteiten"] == 10


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
    assert "soort melder,signalen" in csv.content.decode() and "< 5" in csv.content.decode()
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
    assert activities["activiteiten"] == 10  # Tweestad's inloop is not counted
    assert (
        client.get("/api/v1/municipalities/tweestad/kpis", **bearer("coordinator")).status_code
        == 404
    )
