"""The longlist: the guide's criteria with the municipality's weights, ranked in SQL with a
fixed number of queries, each score's breakdown visible."""

import html
import random
import re

from samen.core.models import Organisation
from samen.partners import scoring, selectors, services
from samen.partners.models import Partner


def test_score_is_the_weighted_crosses_with_a_breakdown():
    weights = scoring.Weights.default()
    row = {
        "sector": "supermarket",
        "image_ok": True,
        "csr_known": False,
        "fits_goals": True,
        "earlier_cooperation": False,
        "warm_contact": True,
        "national_coalition": False,
        "on_daily_route": True,
    }
    assert scoring.score(row, weights) == 5
    items = {item.key: item for item in scoring.breakdown(row, weights)}
    assert items["sector"].met and items["sector"].points == 1
    assert not items["csr_known"].met and items["csr_known"].points == 0
    heavy = scoring.Weights({**weights.weights, "warm_contact": 5}, weights.priority_sectors)
    assert scoring.score(row, heavy) == 9
    assert scoring.score({**row, "sector": "other"}, weights) == 4


def test_sql_ranking_equals_the_python_score(in_samenstad, user):
    rng = random.Random(7)
    for n in range(40):
        organisation = Organisation.objects.create(
            municipality=in_samenstad, slug=f"bedrijf-{n}", name=f"Bedrijf {n}"
        )
        Partner.objects.create(
            municipality=in_samenstad,
            organisation=organisation,
            sector=rng.choice(["supermarket", "sport", "other", "professional"]),
            daily_routes=rng.choice([[], ["groceries"]]),
            **{
                f: rng.random() < 0.5
                for f in ("image_ok", "csr_known", "fits_goals", "warm_contact")
            },
        )
    data = {f"weight_{key}": rng.randint(0, 10) for key, _l, _f in scoring.CRITERIA}
    services.save_weights(
        municipality=in_samenstad,
        actor=user("coordinator"),
        data={**data, "priority_sectors": ["sport"]},
    )
    weights = selectors.weights_of(in_samenstad)
    page = selectors.ranked_longlist(weights, size=200)
    assert page.total == Partner.objects.count()
    scores = [row["score"] for row in page.rows]
    assert scores == sorted(scores, reverse=True)
    for row in page.rows:
        assert row["score"] == sum(item.points for item in row["breakdown"])
        partner = Partner.objects.get(pk=row["pk"])
        assert row["score"] == scoring.score(scoring.instance_row(partner), weights)
    # A partner saved later gets the same score from the Python function.
    partner = Partner.objects.order_by("pk").last()
    partner.warm_contact = not partner.warm_contact
    partner.save()
    assert partner.score == scoring.score(scoring.instance_row(partner), weights)
    assert Partner.objects.filter(pk=partner.pk, score=partner.score).exists()


def test_coordinator_changes_the_weights_and_the_ranking_follows(login, in_samenstad, user):
    client = login("coordinator")
    page = client.get("/samenstad/beheer/partners/").content.decode()
    assert page.index("Supermarkt De Buurtmarkt") < page.index("Notariskantoor Van Dam")
    data = {f"weight_{key}": 0 for key, _l, _f in scoring.CRITERIA}
    data.update(weight_sector=10, priority_sectors=["professional"], stale_weeks=6)
    response = client.post("/samenstad/beheer/partners/weging/", data)
    assert response.status_code == 302
    page = client.get("/samenstad/beheer/partners/").content.decode()
    assert page.index("Notariskantoor Van Dam") < page.index("Supermarkt De Buurtmarkt")
    bad = client.post("/samenstad/beheer/partners/weging/", {**data, "weight_sector": "99"})
    assert "Maximaal 10." in bad.content.decode()


def test_detail_shows_each_scores_breakdown(login, supermarket):
    page = (
        login("coordinator")
        .get("/samenstad/beheer/partners/organisaties/supermarkt-de-buurtmarkt/")
        .content.decode()
    )
    assert "Score 7 van 8" in page
    assert "Eerdere samenwerking?" in page and "Warm contact?" in page


def test_shortlist_is_marked_from_the_longlist(login, restaurant):
    client = login("coordinator")
    response = client.post(
        "/samenstad/beheer/partners/", {"action": "shortlist_add", "ids": [restaurant.pk]}
    )
    assert response.status_code == 302
    restaurant.refresh_from_db()
    assert restaurant.shortlisted
    page = client.get("/samenstad/beheer/partners/?shortlist=1").content.decode()
    assert "Visrestaurant De Haven" in page and "Notariskantoor" not in page


def _add_partners(municipality, n, start):
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(municipality=municipality, slug=f"b-{i}", name=f"Bedrijf {i}")
            for i in range(start, start + n)
        ]
    )
    Partner.objects.bulk_create(
        [
            Partner(municipality=municipality, organisation=o, step="connect", image_ok=i % 2 == 0)
            for i, o in enumerate(organisations)
        ]
    )


def _link(page: str, rel: str) -> str:
    match = re.search(rf'<a href="\?([^"]*)" rel="{rel}"', page)
    assert match, f"no {rel} link"
    return "/samenstad/beheer/partners/?" + html.unescape(match[1])


def test_longlist_and_stale_list_take_a_fixed_number_of_queries(
    login, in_samenstad, django_assert_num_queries
):
    client = login("coordinator")
    services.weights_for(in_samenstad)
    client.get("/samenstad/beheer/partners/")  # warm up session and caches
    _add_partners(in_samenstad, 30, 0)
    # municipality, session, user, membership, weights, counts, page, counts per step
    with django_assert_num_queries(8):
        client.get("/samenstad/beheer/partners/")
    with django_assert_num_queries(7):
        client.get("/samenstad/beheer/partners/niet-gesproken/?weken=4")
    _add_partners(in_samenstad, 120, 100)
    with django_assert_num_queries(8):
        page = client.get("/samenstad/beheer/partners/").content.decode()
    assert "1–50 van 158" in page
    with django_assert_num_queries(8):
        page = client.get(_link(page, "next")).content.decode()
    with django_assert_num_queries(8):
        page = client.get(_link(page, "next")).content.decode()
    assert "101–150 van 158" in page
    with django_assert_num_queries(8):
        page = client.get(_link(page, "prev")).content.decode()
    assert "51–100 van 158" in page
    with django_assert_num_queries(8):
        client.get("/samenstad/beheer/partners/?shortlist=1&sector=other")
    with django_assert_num_queries(7):
        client.get("/samenstad/beheer/partners/niet-gesproken/?weken=4&pagina=2")
    assert selectors.stale_partners(weeks=4).count() >= 150
