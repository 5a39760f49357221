"""Tenancy: every request to a municipality's pages runs inside that municipality's scope.

Tenant-owned models use django-scopes' ScopedManager: a query outside a scope raises
ScopeError instead of silently reading every municipality's rows.
"""

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django_scopes import scope

from .models import Municipality

MUNICIPALITY_CACHE_SECONDS = 30
_municipalities: dict[str, tuple[float, Municipality]] = {}


def cached_municipality(slug: str) -> Municipality:
    """The municipality for an API call, kept in this process for up to 30 seconds: the hot
    public endpoints (concern intake, agenda search) then skip one query. Treat it as
    read-only. A change in this process clears it at once; other workers see it within 30 s."""
    hit = _municipalities.get(slug)
    now = time.monotonic()
    if hit is not None and now - hit[0] < MUNICIPALITY_CACHE_SECONDS:
        return hit[1]
    municipality = get_object_or_404(Municipality, slug=slug)
    _municipalities[slug] = (now, municipality)
    return municipality


def _forget_municipalities(**kwargs) -> None:
    _municipalities.clear()


post_save.connect(_forget_municipalities, sender=Municipality, dispatch_uid="samen-municipality")
post_delete.connect(_forget_municipalities, sender=Municipality, dispatch_uid="samen-municipality")


@contextmanager
def municipality_scope(municipality: Municipality) -> Iterator[None]:
    """Enter a municipality's scope. Never with None: django-scopes would then not filter."""
    if municipality is None or municipality.pk is None:
        raise ValueError("A municipality scope needs a saved municipality.")
    with scope(municipality=municipality.pk):
        yield


def public_view(view: Callable) -> Callable:
    """A public page of one municipality: `slug` in the URL becomes request.municipality."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        municipality = get_object_or_404(Municipality, slug=slug)
        request.municipality = municipality  # type: ignore[attr-defined]
        with municipality_scope(municipality):
            return view(request, *args, **kwargs)

    return wrapper
