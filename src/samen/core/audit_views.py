"""The privacy officer's audit log page: who did what to which object, when and how."""

import datetime as dt
import itertools
import re

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import csvfile, selectors
from .access import StaffRequest, staff_view

CASE_QUERY = re.compile(r"^\s*(?:casus|case|concerns\.case)?[\s:#]*(\d+)\s*$", re.IGNORECASE)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def _filtered(request: StaffRequest):
    query = request.GET
    match = CASE_QUERY.match(query.get("object", ""))
    return selectors.audit_lines(
        request.municipality,
        user=query.get("user", "").strip(),
        action=query.get("action", "").strip(),
        case=int(match.group(1)) if match else None,
        date_from=_date(query.get("from")),
        date_to=_date(query.get("to")),
    )


def _how(line) -> str:
    via = line.detail.get("via", "")
    auth = line.detail.get("auth", "")
    return ", ".join(part for part in (via.upper() if via == "api" else via, auth) if part)


def _rows(lines):
    for line in lines:
        yield {
            "at": line.at,
            "user": line.actor.username if line.actor else "",
            "action": selectors.AUDIT_ACTIONS.get(line.action, line.action),
            "object": f"{line.object_type}:{line.object_id}" if line.object_id else "",
            "cases": line.detail.get("cases", []),
            "how": _how(line),
        }


@staff_view("audit.view")
def audit_log(request: StaffRequest) -> HttpResponse:
    page = Paginator(_filtered(request), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": list(_rows(page.object_list)),
        "actions": sorted(selectors.AUDIT_ACTIONS.items(), key=lambda a: str(a[1])),
        "query": query.urlencode(),
        "values": request.GET,
    }
    return render(request, "core/audit_log.html", context)


@staff_view("audit.view")
def audit_log_csv(request: StaffRequest) -> HttpResponse:
    """The filtered lines as CSV; the audit lines hold no personal data, nor does this."""
    heading = [_("tijdstip"), _("gebruiker"), _("handeling"), _("object"), _("casussen"), _("hoe")]
    lines = (
        [
            row["at"],
            row["user"],
            str(row["action"]),
            row["object"],
            " ".join(map(str, row["cases"])),
            row["how"],
        ]
        for row in _rows(_filtered(request).iterator())
    )
    return csvfile.response(itertools.chain([heading], lines), "auditlog.csv")
