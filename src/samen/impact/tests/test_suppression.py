"""The impact figures follow the suppression rules too: the dashboard's exports, the yearly
report as a PDF and an organisation's own figures ("Onze cijfers")."""

import base64
import datetime as dt
import re
import zlib

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from samen.concerns.models import Case, Report
from samen.concerns.tests.test_suppression_that_holds import file_reports


@pytest.fixture
def library(samenstad):
    with scopes_disabled():
        return samenstad.memberships.get(user__username="partner").organisation


def _headline(page: str, label: str) -> str:
    found = re.search(rf'<p class="figure">([^<]*)</p><p class="figure-label">{label}</p>', page)
    assert found, page
    return found.group(1)


def test_a_partner_with_no_signal_leading_to_support_sees_under_5(login, samenstad, library):
    with scopes_disabled():
        file_reports(samenstad, 6, reporter_organisation=library)
    page = login("partner").get("/samenstad/beheer/impact/eigen/").content.decode()
    assert _headline(page, "signalen doorgegeven") == "6"
    assert _headline(page, "daarvan verbonden met ondersteuning") == "&lt; 5"


def test_a_partner_does_not_learn_that_all_its_signals_led_to_support(login, samenstad, library):
    with scopes_disabled():
        file_reports(samenstad, 6, reporter_organisation=library)
        Case.objects.filter(postcode="1000AA").update(status="closed", outcome="connected")
    page = login("partner").get("/samenstad/beheer/impact/eigen/").content.decode()
    assert _headline(page, "daarvan verbonden met ondersteuning") == "&lt; 5"


def test_own_signals_per_month_hide_a_second_month(login, samenstad, library):
    now = timezone.localtime()
    other = 1 if now.month != 1 else 2
    with scopes_disabled():
        file_reports(samenstad, 9, reporter_organisation=library)
        earlier = now.replace(month=other, day=15, hour=12)
        moved = Report.objects.filter(reporter_organisation=library).order_by("pk")[:3]
        Report.objects.filter(pk__in=[r.pk for r in moved]).update(created_at=earlier)
    client = login("partner")
    csv = client.get("/samenstad/beheer/impact/eigen/own-monthly.csv").content.decode("utf-8-sig")
    signals = [line.split(";")[2] for line in csv.strip().splitlines()[1:]]
    # 3 in one month and 6 in another beside a total of 9: both hidden.
    assert signals[other - 1] == "< 5" and signals[now.month - 1] == "< 5"
    assert signals.count("0") == 10


@pytest.fixture
def outcomes(samenstad):
    """16 cases: 6 connected, 3 declined, 7 open (the demo's 3 among them)."""
    with scopes_disabled():
        file_reports(samenstad, 13)
        cases = list(Case.objects.filter(postcode="1000AA").order_by("pk"))
        Case.objects.filter(pk__in=[c.pk for c in cases[:6]]).update(
            status="closed", outcome="connected"
        )
        Case.objects.filter(pk__in=[c.pk for c in cases[6:9]]).update(
            status="closed", outcome="declined"
        )


def test_the_outcomes_export_hides_a_second_outcome(login, outcomes):
    csv = login("coordinator").get("/samenstad/beheer/impact/concerns-outcomes.csv")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert "Wil geen ondersteuning;< 5" in lines
    assert "Verbonden met ondersteuning;< 5" in lines  # 6, hidden beside the 3


def test_the_yearly_pdf_shows_the_same_suppressed_figures(login, outcomes):
    year = timezone.localdate().year
    response = login("coordinator").get(f"/samenstad/beheer/impact/jaarverslag.pdf?year={year}")
    streams = re.findall(rb"stream\r?\n(.*?)endstream", response.content, re.S)
    text = b"".join(zlib.decompress(base64.a85decode(s.strip(), adobe=True)) for s in streams)
    # The table's row (the chart's label comes first): the label's cell, then its count.
    cells = re.findall(rb"Tm \(Verbonden met ondersteuning\) Tj T\* ET\nBT [^(]*\((.*?)\) Tj", text)
    assert cells == [b"< 5"]


def test_the_share_in_time_is_hidden_beside_a_few_late_contacts(client, bearer, outcomes):
    now = timezone.now()
    with scopes_disabled():
        cases = list(Case.objects.filter(postcode="1000AA").order_by("pk"))[:10]
        for index, case in enumerate(cases):
            deadline = now + dt.timedelta(days=-1 if index >= 8 else 1)
            Case.objects.filter(pk=case.pk).update(first_contact_at=now, deadline=deadline)
    body = client.get("/api/v1/municipalities/samenstad/kpis", **bearer("coordinator")).json()
    concerns = next(s for s in body["sections"] if s["key"] == "concerns")
    headline = {h["label"]: h["value"] for h in concerns["headline"]}
    assert headline["eerste contact binnen de termijn"] is None  # 80% beside 2 late
