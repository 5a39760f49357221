"""The ranked longlist pages by keyset (score, id), not by OFFSET: every partner exactly once,
in rank order (ties by id), forwards and backwards, with the filters kept in the links."""

import html
import re

from samen.core.models import Organisation
from samen.partners.models import Partner

API = "/api/v1/municipalities/samenstad/partners"


def _add_ties(municipality, n):
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(municipality=municipality, slug=f"t-{i}", name=f"Gelijk {i:03d}")
            for i in range(n)
        ]
    )
    Partner.objects.bulk_create(
        [
            # Four distinct scores, many ties: the id decides within a score.
            Partner(municipality=municipality, organisation=o, score=i % 4, shortlisted=i % 3 == 0)
            for i, o in enumerate(organisations)
        ]
    )


def _ranking(**filters):
    return list(
        Partner.objects.filter(**filters).order_by("-score", "pk").values_list("pk", flat=True)
    )


def _walk(client, headers, query, key, cursor_param):
    pages, url = [], f"{API}?page_size=7&{query}"
    while True:
        body = client.get(url, **headers).json()
        pages.append(body)
        if body[key] is None:
            return pages
        url = f"{API}?page_size=7&{query}&{cursor_param}={body[key]}"


def test_api_walks_every_partner_once_forwards_and_back(client, bearer, in_samenstad):
    _add_ties(in_samenstad, 60)
    headers = bearer("coordinator")
    ranking = _ranking()
    pages = _walk(client, headers, "", "next", "after")
    seen = [r["id"] for page in pages for r in page["results"]]
    assert seen == ranking
    ranks = [r["rank"] for page in pages for r in page["results"]]
    assert ranks == list(range(1, len(ranking) + 1))
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    assert {page["total"] for page in pages} == {len(ranking)}
    # Back from the last page with `previous`: the same pages, the same ranks.
    last = pages[-1]
    back = client.get(f"{API}?page_size=7&before={last['previous']}", **headers).json()
    assert back["results"] == pages[-2]["results"]
    assert back["first_rank"] == pages[-2]["first_rank"]


def test_api_keyset_with_the_shortlist_filter(client, bearer, in_samenstad):
    _add_ties(in_samenstad, 60)
    pages = _walk(client, bearer("coordinator"), "shortlisted=true", "next", "after")
    seen = [r["id"] for page in pages for r in page["results"]]
    assert seen == _ranking(shortlisted=True)
    assert all(r["shortlisted"] for page in pages for r in page["results"])


def test_api_rejects_a_malformed_cursor(client, bearer, samenstad):
    response = client.get(f"{API}?after=2;drop", **bearer("coordinator"))
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "after"


def _links(page):
    return {
        rel: html.unescape(href)
        for href, rel in re.findall(r'<a href="\?([^"]*)" rel="(next|prev)"', page)
    }


def test_web_pages_keep_the_filters_and_show_the_position(login, in_samenstad):
    _add_ties(in_samenstad, 120)
    client = login("coordinator")
    url = "/samenstad/beheer/partners/?sector=other&q=Gelijk"
    page = client.get(url).content.decode()
    assert "1–50 van 120" in page
    links = _links(page)
    assert "prev" not in links
    assert "sector=other" in links["next"] and "q=Gelijk" in links["next"]
    page2 = client.get("/samenstad/beheer/partners/?" + links["next"]).content.decode()
    assert "51–100 van 120" in page2
    page3 = client.get("/samenstad/beheer/partners/?" + _links(page2)["next"]).content.decode()
    assert "101–120 van 120" in page3 and "next" not in _links(page3)
    back = client.get("/samenstad/beheer/partners/?" + _links(page3)["prev"]).content.decode()
    assert "51–100 van 120" in back
    names = re.findall(r"Gelijk \d{3}", back)
    assert names == re.findall(r"Gelijk \d{3}", page2)
    # To page 1, "previous" is the plain filtered list.
    assert _links(page2)["prev"] == "sector=other&q=Gelijk"


def test_web_ignores_a_malformed_cursor(login, in_samenstad):
    page = login("coordinator").get("/samenstad/beheer/partners/?na=x.y").content.decode()
    assert "1–8 van 8" in page


def test_tick_rows_and_email_the_selection(login, supermarket, restaurant):
    client = login("coordinator")
    longlist = client.get("/samenstad/beheer/partners/?sector=supermarket").content.decode()
    assert "E-mail sturen aan selectie" in longlist
    response = client.post(
        "/samenstad/beheer/partners/?sector=supermarket",
        {"action": "email", "ids": [supermarket.pk, restaurant.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/samenstad/beheer/partners/e-mail/versturen/?partner={supermarket.pk}"
        f"&partner={restaurant.pk}"
    )
    form = client.get(response["Location"]).content.decode()
    assert "De 2 gekozen partners" in form
    assert "Supermarkt De Buurtmarkt" in form and "Visrestaurant De Haven" in form
    nothing = client.post("/samenstad/beheer/partners/", {"action": "email"}, follow=True)
    assert "Kies eerst een of meer organisaties in de lijst." in nothing.content.decode()
