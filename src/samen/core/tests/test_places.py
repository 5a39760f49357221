"""One place for places: the agenda and the matching of volunteers put a postcode in the same
spot, so 'within 4 km' means the same for a resident searching and for a volunteer."""

import datetime as dt

import pytest
from django import forms
from django.utils import timezone

from samen.activities import services as activities
from samen.activities.models import Activity
from samen.core.models import Organisation, User
from samen.core.places import PostcodeField, distance_km, postcode_point
from samen.core.tenancy import municipality_scope
from samen.volunteering import matching_run
from samen.volunteering.models import Need, Volunteer


def test_a_postcode_field_gives_one_dutch_error_and_stores_one_spelling():
    field = PostcodeField(required=False)
    assert field.clean(" 9501 ab ") == "9501AB"
    assert field.clean("") == ""
    for wrong in ("abc", "0123AB", "9501 ABC", "95011AB"):
        with pytest.raises(forms.ValidationError) as error:
            field.clean(wrong)
        assert error.value.messages == ["Vul een postcode in zoals 1234 AB."]


def test_a_place_2_km_away_is_2_km_away_for_the_matcher_and_for_the_agenda(
    client, samenstad, unscoped
):
    home, place = postcode_point("9501AB"), postcode_point("9504GH")
    assert home is not None and place is not None
    km = distance_km(home, place)
    assert 1.5 < km < 2.0  # both in Samenstad, one geocoder

    # The agenda: an activity at 9504 is found within 2 km of 9501, not within 1.
    organisation = Organisation.objects.get(slug="welzijn-samenstad")
    Activity.objects.filter(municipality=samenstad).delete()
    with municipality_scope(samenstad):
        activities.save_activity(
            activity=Activity(
                municipality=samenstad,
                organisation=organisation,
                starts_at=timezone.now() + dt.timedelta(days=2),
                source_uid="",
            ),
            actor=User.objects.get(username="coordinator"),
            data={"title": "Koffie op de hoek", "postcode": "9504GH"},
        )

    def found(radius):
        response = client.get(
            "/api/v1/activities",
            {"municipality": "samenstad", "near": "9501AB", "radius_km": radius},
        )
        return [row["title"] for row in response.json()["results"]]

    assert "Koffie op de hoek" in found(2) and "Koffie op de hoek" not in found(1)

    # The matcher: a volunteer at 9501 travelling 1 km is not proposed for a need at 9504; 2 km is.
    Need.objects.update(status=Need.Status.CLOSED)
    lotte = Volunteer.objects.get(user__username="volunteer")
    Volunteer.objects.exclude(pk=lotte.pk).update(active=False)
    Need.objects.create(
        municipality=samenstad, organisation=organisation, kind="buddy", title="Wandelen",
        description="x", postcode="9504GH", min_age=16, contact_name="X", volunteers_needed=1,
        half_days=["tue_pm"],
    )  # fmt: skip
    for max_km, proposed in ((1, False), (2, True)):
        Volunteer.objects.filter(pk=lotte.pk).update(postcode="9501AB", max_distance_km=max_km)
        with municipality_scope(samenstad):
            run = matching_run.run_matching(municipality=samenstad, dry_run=True)
        assert bool(run.result.assignments) is proposed, max_km
