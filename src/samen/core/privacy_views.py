"""The privacy officer's pages for data subject requests (AVG art. 15 and 17): find what Samen
holds about a person, read and download it, erase it early. The workflows are in
`core.privacy_requests` and the apps' services; these pages only show them."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import privacy_requests
from .access import StaffRequest, staff_view
from .forms import PrivacyEraseForm, PrivacySearchForm


@never_cache
@staff_view("privacy.requests")
def search(request: StaffRequest) -> HttpResponse:
    """A search is a POST, so the name or address searched for stays out of URLs and logs."""
    form = PrivacySearchForm(request.POST if request.method == "POST" else None)
    results = None
    if form.is_valid():
        results = privacy_requests.search(
            municipality=request.municipality, actor=request.user, query=form.cleaned_data["query"]
        )
    context = {"form": form, "results": results, "kinds": privacy_requests.kinds()}
    return render(request, "core/privacy_requests.html", context)


def _subject(request: StaffRequest, kind_name: str, ref: str):
    kind = privacy_requests.kind(kind_name)
    if kind is None:
        raise Http404
    title = privacy_requests.title(
        municipality=request.municipality, actor=request.user, kind=kind, ref=ref
    )
    if title is None:
        raise Http404
    return kind, title


def _subject_page(request: StaffRequest, kind, title: str, ref: str, form: PrivacyEraseForm):
    data = privacy_requests.export(
        municipality=request.municipality, actor=request.user, kind=kind, ref=ref
    )
    context = {
        "kind": kind,
        "ref": ref,
        "title": title,
        "export": privacy_requests.as_html(data),
        "form": form,
    }
    return render(request, "core/privacy_subject.html", context)


@never_cache
@staff_view("privacy.requests")
def subject(request: StaffRequest, kind: str, ref: str) -> HttpResponse:
    """Everything held about the person (the export itself, audited as privacy.export)."""
    kind_, title = _subject(request, kind, ref)
    return _subject_page(request, kind_, title, ref, PrivacyEraseForm())


@never_cache
@staff_view("privacy.requests")
def subject_text(request: StaffRequest, kind: str, ref: str) -> HttpResponse:
    kind_, title = _subject(request, kind, ref)
    data = privacy_requests.export(
        municipality=request.municipality, actor=request.user, kind=kind_, ref=ref
    )
    heading = _("Inzage (AVG artikel 15): %(title)s, gemeente %(municipality)s") % {
        "title": title,
        "municipality": request.municipality.name,
    }
    response = HttpResponse(
        privacy_requests.as_text(data, heading=heading), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="inzage-{kind_.name}-{ref}.txt"'
    return response


@require_POST
@never_cache
@staff_view("privacy.requests")
def erase(request: StaffRequest, kind: str, ref: str) -> HttpResponse:
    kind_, title = _subject(request, kind, ref)
    form = PrivacyEraseForm(request.POST)
    if not form.is_valid():
        return _subject_page(request, kind_, title, ref, form)
    erased = privacy_requests.erase(
        municipality=request.municipality,
        actor=request.user,
        kind=kind_,
        ref=ref,
        ground=form.cleaned_data["ground"],
    )
    if erased:
        messages.success(
            request,
            _(
                "Gewist: %(title)s. In het auditlog staat dat u dit deed en op welke grond, "
                "zonder de gegevens."
            )
            % {"title": title},
        )
    else:
        messages.info(
            request,
            _("Er was niets meer te wissen: %(title)s. Er is niets veranderd.") % {"title": title},
        )
    return redirect("core:privacy", request.municipality.slug)
