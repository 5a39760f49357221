"""Requests of a data subject under AVG article 15 (inzage) and 17 (wissen), answered by the
municipality's privacy officer (permission `privacy.requests`).

Core knows no capability: each app registers the kinds of person it holds (a case of the
Signaalpunt, a volunteer, a newsletter address) in its AppConfig.ready with `register`. A kind
finds its subjects from what the person gives (a reference, an address, an e-mail address),
names each by an opaque reference (never an e-mail address: it goes into a URL), exports
everything it holds under readable Dutch labels and erases it. The kind's own services audit
the export and the erasure; a search is audited here, with the ids of the cases it showed.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .models import Municipality, User

PERMISSION = "privacy.requests"


class Ground(models.TextChoices):
    """Why data is erased early; the audit line keeps this code, never a free text."""

    REQUEST = "request", gettext_lazy("Verzoek van de betrokkene (AVG art. 17)")
    OBJECTION = "objection", gettext_lazy("Bezwaar van de betrokkene (AVG art. 21)")
    OTHER = "other", gettext_lazy("Andere grond (vastgelegd buiten Samen)")


@dataclass(frozen=True)
class Found:
    """One subject a search found: `ref` addresses it within its kind and municipality."""

    ref: str
    title: str
    cases: tuple[int, ...] = ()  # case ids, so "who read case X?" finds the search too


@dataclass(frozen=True)
class SubjectKind:
    name: str  # in the URL: "case", "volunteer", "newsletter"
    label: Any  # "Casus van het Signaalpunt"
    hint: Any  # what to search by, shown under the search field
    find: Callable[[Municipality, str], list[Found]]
    # ref -> a title for the subject page, or None when the ref is not (any longer) there.
    title: Callable[[Municipality, str], str | None]
    # (municipality, ref, actor) -> the readable export; the kind's service audits it.
    export: Callable[[Municipality, str, User], dict]
    # (municipality, ref, actor, ground) -> erase; the kind's service audits it. False when
    # there was nothing (left) to erase.
    erase: Callable[[Municipality, str, User, str], bool]
    # What erasing leaves behind, told to the privacy officer before they confirm.
    keeps: Any = ""
    # What the privacy officer checks before sending the export (AVG art. 15(4): others' data).
    check: Any = ""


_KINDS: dict[str, SubjectKind] = {}


def register(kind: SubjectKind) -> None:
    _KINDS[kind.name] = kind


def kinds() -> list[SubjectKind]:
    return list(_KINDS.values())


def kind(name: str) -> SubjectKind | None:
    return _KINDS.get(name)


def _check(actor: User, municipality: Municipality) -> None:
    if not actor.has_samen_perm(municipality, PERMISSION):
        raise PermissionDenied


@dataclass
class Results:
    kind: SubjectKind
    found: list[Found]


def search(*, municipality: Municipality, actor: User, query: str) -> list[Results]:
    """Every kind's subjects matching `query`. Audited as privacy.search with how many each
    kind found and the ids of the cases shown, never the query (it names the person)."""
    _check(actor, municipality)
    query = query.strip()
    results = [Results(k, k.find(municipality, query)) for k in _KINDS.values()]
    audit.record(
        action="privacy.search",
        actor=actor,
        municipality=municipality,
        found={r.kind.name: len(r.found) for r in results},
        cases=sorted({case for r in results for f in r.found for case in f.cases}),
    )
    return results


def title(*, municipality: Municipality, actor: User, kind: SubjectKind, ref: str) -> str | None:
    _check(actor, municipality)
    return kind.title(municipality, ref)


def export(*, municipality: Municipality, actor: User, kind: SubjectKind, ref: str) -> dict:
    _check(actor, municipality)
    return kind.export(municipality, ref, actor)


def erase(
    *, municipality: Municipality, actor: User, kind: SubjectKind, ref: str, ground: str
) -> bool:
    _check(actor, municipality)
    return kind.erase(municipality, ref, actor, ground if ground in Ground.values else Ground.OTHER)


def _value(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%d-%m-%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list | tuple):  # a list of plain values (dates, labels)
        return ", ".join(_value(v) for v in value) or "—"
    return str(value)


def _lines(value: object, depth: int) -> list[str]:
    indent = "  " * depth
    if isinstance(value, dict):
        lines = []
        for label, inner in value.items():
            if isinstance(inner, dict | list) and not _is_plain_list(inner):
                lines.append(f"{indent}{label}:")
                lines.extend(_lines(inner, depth + 1))
            else:
                first, *more = _value(inner).splitlines() or [""]
                lines.append(f"{indent}{label}: {first}")
                lines.extend(f"{indent}  {line}" for line in more)
        return lines
    if isinstance(value, list):
        if not value:
            return [f"{indent}—"]
        lines = []
        for number, inner in enumerate(value, 1):
            lines.append(f"{indent}{number}.")
            lines.extend(_lines(inner, depth + 1))
        return lines
    return [f"{indent}{line}" for line in _value(value).splitlines() or [""]]


def _is_plain_list(value: object) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


def as_text(data: dict, *, heading: str) -> str:
    """The export as plain text, readable by the person it is about (a letter's appendix)."""
    made = _("Gemaakt op %(at)s.") % {"at": _value(timezone.now())}
    return "\n".join([heading, made, "", *_lines(data, 0), ""])


def as_html(value: object) -> SafeString:
    """The export as nested definition lists (every value escaped)."""
    if isinstance(value, dict):
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "", "<dt>{}</dt><dd>{}</dd>", ((k, as_html(v)) for k, v in value.items())
            ),
        )
    if isinstance(value, list) and not _is_plain_list(value):
        if not value:
            return format_html("{}", "—")
        return format_html(
            "<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((as_html(v),) for v in value))
        )
    return format_html("{}", _value(value))
