"""The outcome: a text, and for the colleagues' exercise the longlist it made, imported
straight into the partners' longlist."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from samen.partners.models import Partner

from .factories import MeetingFactory

BASE = "/samenstad/beheer/bijeenkomsten/"
CSV = "naam,sector,imago ok,warm contact\nKapsalon Knipoog,kapper,ja,ja\nBakkerij Vers,bakker,ja,nee\n"


def _upload(content=CSV, name="longlist.csv"):
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_the_exercises_longlist_lands_on_the_longlist(staff, town):
    exercise = MeetingFactory(municipality=town, format="colleagues")
    response = staff.post(
        f"{BASE}{exercise.pk}/opbrengst/", {"action": "longlist", "file": _upload()}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "2 nieuw op de longlist, 0 bijgewerkt." in page
    with scopes_disabled():
        names = set(Partner.objects.values_list("organisation__name", flat=True))
    assert names == {"Kapsalon Knipoog", "Bakkerij Vers"}
    assert "Kapsalon Knipoog" in staff.get("/samenstad/beheer/partners/").content.decode()
    # the same file again changes nothing
    again = staff.post(f"{BASE}{exercise.pk}/opbrengst/", {"action": "longlist", "file": _upload()})
    assert "0 nieuw op de longlist, 0 bijgewerkt." in again.content.decode()
    detail = staff.get(f"{BASE}{exercise.pk}/").content.decode()
    assert "2 nieuw, 0 bijgewerkt." in detail


def test_a_file_that_is_not_a_longlist_gets_a_dutch_error(staff, town):
    exercise = MeetingFactory(municipality=town, format="colleagues")
    response = staff.post(
        f"{BASE}{exercise.pk}/opbrengst/",
        {"action": "longlist", "file": _upload("wat,anders\n1,2\n")},
    )
    assert response.status_code == 200
    assert "De eerste regel moet kolomnamen hebben" in response.content.decode()
    broken = staff.post(
        f"{BASE}{exercise.pk}/opbrengst/",
        {"action": "longlist", "file": _upload("PK\x03\x04kapot", "lijst.xlsx")},
    )
    assert broken.status_code == 200 and "errorlist" in broken.content.decode()
    with scopes_disabled():
        assert not Partner.objects.exists()


def test_only_the_colleagues_exercise_has_a_longlist(staff, town):
    inspiration = MeetingFactory(municipality=town, format="inspiration")
    page = staff.get(f"{BASE}{inspiration.pk}/opbrengst/").content.decode()
    assert "Longlist inlezen" not in page
    response = staff.post(
        f"{BASE}{inspiration.pk}/opbrengst/", {"action": "longlist", "file": _upload()}
    )
    assert "Alleen de oefening met ambtelijke collega" in response.content.decode()
    with scopes_disabled():
        assert not Partner.objects.exists()


def test_the_outcome_text_is_kept(staff, town):
    meeting = MeetingFactory(municipality=town, format="working_session")
    response = staff.post(
        f"{BASE}{meeting.pk}/opbrengst/",
        {"action": "outcome", "outcome": "Vier posters; de sportschool start een beweegles."},
    )
    assert response.status_code == 302
    assert (
        "de sportschool start een beweegles" in staff.get(f"{BASE}{meeting.pk}/").content.decode()
    )
